//! RFC 9457 problem details.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use crate::Code;

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
    /// A problem with `code` (its status follows from the code) and `detail`.
    pub fn new(code: Code, detail: impl Into<String>) -> Self {
        let status = code.status();
        Self {
            kind: format!(
                "https://quorum.dev/problems/{}",
                code.name().replace('_', "-")
            ),
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            code: code.name().to_string(),
        }
    }

    pub fn status(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(Code::BadRequest, detail)
    }
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(Code::Unauthorized, detail)
    }
    pub fn not_found(detail: impl Into<String>) -> Self {
        Self::new(Code::NotFound, detail)
    }
    pub fn internal() -> Self {
        Self::new(
            Code::InternalError,
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

/// Implemented by each service's error enum: one match from variant to [`Code`]; the status
/// follows from the code.
///
/// ```ignore
/// quorum_service::service_error!(ApiError);
/// ```
pub trait ApiErrorKind: std::error::Error {
    fn code(&self) -> Code;

    fn status_code(&self) -> StatusCode {
        self.code().status()
    }

    /// The problem shown to the client. 5xx errors log the cause chain and show a generic
    /// message; 4xx errors show their own message.
    #[allow(clippy::wrong_self_convention)] // errors are often borrowed when logged
    fn into_problem(&self) -> Problem {
        let code = self.code();
        if code.status().is_server_error() {
            let mut chain = self.to_string();
            let mut source = self.source();
            while let Some(s) = source {
                chain.push_str(": ");
                chain.push_str(&s.to_string());
                source = s.source();
            }
            tracing::error!(code = code.name(), error = %chain, "request failed");
            let mut p = Problem::internal();
            p.code = code.name().to_string();
            p
        } else {
            Problem::new(code, self.to_string())
        }
    }
}
