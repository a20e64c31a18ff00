//! The service's errors: [`ApiError`] for requests (one status match, one code match) and
//! [`BuildError`] for start-up.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use quorum_bus::BusError;
use quorum_store::StoreError;
use quorum_tasks::TaskError;
use quorum_web::{ApiErrorKind, Problem};

/// Why [`crate::build`] failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("ai database migration failed")]
    Migrate(#[source] StoreError),
    /// A setting is invalid; the message names the key.
    #[error("invalid setting {0}")]
    Settings(String),
}

/// Seconds a client should wait before retrying when the work queue is full.
pub(crate) const BUSY_RETRY_AFTER_SECS: u64 = 30;

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    /// A malformed path or body value.
    #[error("{0}")]
    BadRequest(String),
    #[error("{0}")]
    Validation(String),
    /// Unknown, or known but the caller may not see it (existence is not revealed).
    #[error("{0} was not found")]
    NotFound(String),
    /// `ai.processing.queue` is at its max-length: backpressure.
    #[error("the AI service is busy; retry in {BUSY_RETRY_AFTER_SECS} seconds")]
    Busy,
    #[error("storage failed")]
    Store(#[from] StoreError),
    #[error("messaging failed")]
    Bus(#[from] BusError),
    #[error("task store failed")]
    Tasks(#[from] TaskError),
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
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Busy => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Tasks(TaskError::Backend(_)) => StatusCode::SERVICE_UNAVAILABLE,
            ApiError::Store(_) | ApiError::Bus(_) | ApiError::Tasks(_) | ApiError::Corrupt(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::BadRequest(_) => "bad_request",
            ApiError::Validation(_) => "validation_failed",
            ApiError::NotFound(_) => "not_found",
            ApiError::Busy => "ai_busy",
            ApiError::Store(_) => "storage_error",
            ApiError::Bus(_) => "messaging_error",
            ApiError::Tasks(TaskError::Backend(_)) => "task_store_unavailable",
            ApiError::Tasks(_) => "task_error",
            ApiError::Corrupt(_) => "corrupt_data",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status_code();
        if status != StatusCode::SERVICE_UNAVAILABLE {
            return self.into_problem().into_response();
        }
        // Backpressure, not a fault: say so (the generic 5xx problem would read as a 500),
        // and when to come back.
        tracing::warn!(code = self.code(), error = %self, "request refused: busy");
        let detail = format!("the AI service is busy; retry in {BUSY_RETRY_AFTER_SECS} seconds");
        let mut res = Problem::new(status, self.code(), detail).into_response();
        res.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(BUSY_RETRY_AFTER_SECS),
        );
        res
    }
}
