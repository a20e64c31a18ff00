//! The service's errors: [`ApiError`] for requests (one status match, one code match) and
//! [`BuildError`] for start-up.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use quorum_bus::BusError;
use quorum_store::StoreError;
use quorum_web::{ApiErrorKind, Problem};

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
    #[error("storage failed")]
    Store(#[from] StoreError),
    #[error("recording the e-mail job failed")]
    Bus(#[from] BusError),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Store(e.into())
    }
}

impl From<Problem> for ApiError {
    /// `quorum_web` validators (pagination) answer with a 400 problem; keep its message.
    fn from(p: Problem) -> Self {
        ApiError::BadRequest(p.detail)
    }
}

impl ApiErrorKind for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Store(_) | ApiError::Bus(_) | ApiError::Corrupt(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "validation_failed",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::NotFound(_) => "notification_not_found",
            ApiError::Store(_) => "storage_error",
            ApiError::Bus(_) => "event_error",
            ApiError::Corrupt(_) => "corrupt_data",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.into_problem().into_response()
    }
}
