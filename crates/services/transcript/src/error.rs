//! The service's errors: [`ApiError`] for requests (one match to its error code, from
//! `quorum_web::Code`, which decides the status) and
//! [`BuildError`] for start-up.

use quorum_store::StoreError;
use quorum_web::{ApiErrorKind, Code};

use crate::domain::ValidationError;

/// Why [`crate::build`] failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("transcript database migration failed")]
    Migrate(#[source] StoreError),
    #[error("invalid setting: {0}")]
    Settings(String),
}

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// A malformed path or query parameter.
    #[error("{0}")]
    BadRequest(String),
    /// Unknown, or the caller may not read it (existence is not revealed).
    #[error("{0} was not found")]
    NotFound(String),
    /// A reader tried something only participants or the owner may do.
    #[error("{0}")]
    Forbidden(&'static str),
    #[error("unknown users: {0}; they must be registered users")]
    UnknownUsers(String),
    /// Storage, messaging or stored data: a logged 500.
    #[error(transparent)]
    Failure(#[from] quorum_service::Failure),
}

impl ApiErrorKind for ApiError {
    fn code(&self) -> Code {
        match self {
            ApiError::Validation(_) => Code::ValidationFailed,
            ApiError::BadRequest(_) => Code::BadRequest,
            ApiError::NotFound(_) => Code::TranscriptNotFound,
            ApiError::Forbidden(_) => Code::Forbidden,
            ApiError::UnknownUsers(_) => Code::UnknownUsers,
            ApiError::Failure(f) => f.code(),
        }
    }
}

quorum_service::service_error!(ApiError);
