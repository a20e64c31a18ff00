//! The service's errors: [`ApiError`] for requests (one status match, one code match) and
//! [`BuildError`] for start-up.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use quorum_bus::BusError;
use quorum_store::StoreError;
use quorum_web::{ApiErrorKind, Problem};

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
    #[error("storage failed")]
    Store(#[from] StoreError),
    #[error("recording the event failed")]
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
    fn from(p: Problem) -> Self {
        ApiError::BadRequest(p.detail)
    }
}

impl ApiErrorKind for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) | ApiError::UnknownUsers(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Forbidden(_) => StatusCode::FORBIDDEN,
            ApiError::Store(_) | ApiError::Bus(_) | ApiError::Corrupt(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "validation_failed",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::NotFound(_) => "transcript_not_found",
            ApiError::Forbidden(_) => "forbidden",
            ApiError::UnknownUsers(_) => "unknown_users",
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
