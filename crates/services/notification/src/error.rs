//! The service's errors: [`ApiError`] for requests (one match to its error code, from
//! `quorum_web::Code`, which decides the status) and
//! [`BuildError`] for start-up.

use quorum_store::StoreError;
use quorum_web::{ApiErrorKind, Code};

/// Why [`crate::build`] failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("notification database migration failed")]
    Migrate(#[source] StoreError),
    /// `notification.smtp` is unusable (the message names the key).
    #[error("invalid setting `notification.smtp.{key}`: {reason}")]
    Smtp { key: &'static str, reason: String },
}

/// Everything a request (or a consumer step) can fail with.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    /// A field is missing, malformed or names something unknown.
    #[error("{0}")]
    Validation(String),
    /// A malformed path or query parameter.
    #[error("{0}")]
    BadRequest(String),
    /// Unknown, or someone else's (existence is not revealed).
    #[error("notification `{0}` was not found")]
    NotFound(String),
    /// Storage, messaging or stored data: a logged 500.
    #[error(transparent)]
    Failure(#[from] quorum_service::Failure),
}

impl ApiErrorKind for ApiError {
    fn code(&self) -> Code {
        match self {
            ApiError::Validation(_) => Code::ValidationFailed,
            ApiError::BadRequest(_) => Code::BadRequest,
            ApiError::NotFound(_) => Code::NotificationNotFound,
            ApiError::Failure(f) => f.code(),
        }
    }
}

quorum_service::service_error!(ApiError);
