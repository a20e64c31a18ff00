//! The service's errors: [`ApiError`] for requests (one match to its error code, from
//! `quorum_web::Code`, which decides the status) and
//! [`BuildError`] for start-up.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use quorum_store::StoreError;
use quorum_tasks::TaskError;
use quorum_web::{ApiErrorKind, Code, Problem};

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
    #[error("task store failed")]
    Tasks(#[from] TaskError),
    /// Storage, messaging or stored data: a logged 500.
    #[error(transparent)]
    Failure(#[from] quorum_service::Failure),
}

impl ApiErrorKind for ApiError {
    fn code(&self) -> Code {
        match self {
            ApiError::BadRequest(_) => Code::BadRequest,
            ApiError::Validation(_) => Code::ValidationFailed,
            ApiError::NotFound(_) => Code::NotFound,
            ApiError::Busy => Code::AiBusy,
            ApiError::Tasks(TaskError::Backend(_)) => Code::TaskStoreUnavailable,
            ApiError::Tasks(_) => Code::TaskError,
            ApiError::Failure(f) => f.code(),
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
        tracing::warn!(code = self.code().name(), error = %self, "request refused: busy");
        let detail = format!("the AI service is busy; retry in {BUSY_RETRY_AFTER_SECS} seconds");
        let mut res = Problem::new(self.code(), detail).into_response();
        res.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(BUSY_RETRY_AFTER_SECS),
        );
        res
    }
}

quorum_service::service_error!(ApiError, own_response);
