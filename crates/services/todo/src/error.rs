//! The service's errors: [`ApiError`] for requests (one status match, one code match) and
//! [`BuildError`] for start-up.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use quorum_bus::BusError;
use quorum_store::StoreError;
use quorum_web::{ApiErrorKind, Problem};

use crate::domain::{TransitionError, ValidationError};

/// Why [`crate::build`] failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("todo database migration failed")]
    Migrate(#[source] StoreError),
    #[error("invalid setting: {0}")]
    Settings(String),
}

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    /// A field is missing, malformed or out of range.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// A malformed path or query parameter.
    #[error("{0}")]
    BadRequest(String),
    /// Unknown, or known but hidden from the caller (existence is not revealed).
    #[error("todo `{0}` was not found")]
    NotFound(String),
    /// The caller may see the todo but not change it.
    #[error("only the todo's assignee, its creator or the meeting's owner may change it")]
    Forbidden,
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The row changed between read and write (lost a race); the client may retry.
    #[error("the todo was changed concurrently; reload it and try again")]
    Concurrent,
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
            ApiError::Forbidden => StatusCode::FORBIDDEN,
            ApiError::Transition(_) | ApiError::Concurrent => StatusCode::CONFLICT,
            ApiError::Store(_) | ApiError::Bus(_) | ApiError::Corrupt(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "validation_failed",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::NotFound(_) => "todo_not_found",
            ApiError::Forbidden => "todo_forbidden",
            ApiError::Transition(_) => "invalid_todo_transition",
            ApiError::Concurrent => "concurrent_modification",
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
