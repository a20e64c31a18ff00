//! RFC 9457 problem details.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// A problem document: `{type, title, status, detail, code}`.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI reference naming the problem type (`about:blank` plus the stable code).
    #[serde(rename = "type")]
    pub kind: String,
    /// Short, human-readable summary of the status.
    pub title: String,
    /// The HTTP status code.
    pub status: u16,
    /// What went wrong, in words a client developer can act on.
    pub detail: String,
    /// Stable, snake_case error code.
    pub code: String,
}

impl Problem {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self {
            kind: format!("https://quorum.dev/problems/{}", code.replace('_', "-")),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.to_string(),
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, "bad_request", detail)
    }
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::UNAUTHORIZED, "unauthorized", detail)
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", detail)
    }
    pub fn internal() -> Self {
        Self::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal_error",
            "an internal error occurred; it has been logged",
        )
    }
}

impl IntoResponse for Problem {
    fn into_response(self) -> Response {
        let status = self.status();
        let body = serde_json::to_vec(&self).unwrap_or_default();
        let mut res = (status, body).into_response();
        res.headers_mut().insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/problem+json"),
        );
        res
    }
}

/// Implemented by each service's error enum: one match for the status, one for the code.
///
/// ```ignore
/// impl IntoResponse for ApiError {
///     fn into_response(self) -> Response { self.into_problem().into_response() }
/// }
/// ```
pub trait ApiErrorKind: std::error::Error {
    fn status_code(&self) -> StatusCode;
    fn code(&self) -> &'static str;

    /// The problem shown to the client. 5xx errors log the cause chain and show a generic
    /// message; 4xx errors show their own message.
    #[allow(clippy::wrong_self_convention)] // errors are often borrowed when logged
    fn into_problem(&self) -> Problem {
        let status = self.status_code();
        if status.is_server_error() {
            let mut chain = self.to_string();
            let mut source = self.source();
            while let Some(s) = source {
                chain.push_str(": ");
                chain.push_str(&s.to_string());
                source = s.source();
            }
            tracing::error!(code = self.code(), error = %chain, "request failed");
            let mut p = Problem::internal();
            p.code = self.code().to_string();
            p
        } else {
            Problem::new(status, self.code(), self.to_string())
        }
    }
}
