//! The gateway's own error responses, all `application/problem+json` with stable codes.
//! Internal causes are logged by the caller and never shown to the client.

use axum::response::{IntoResponse, Response};
use http::{header, HeaderValue};
use quorum_web::{Code, Problem};

use crate::rate_limit::RateLimitDecision;

pub(crate) fn not_found(path: &str) -> Response {
    Problem::new(Code::RouteNotFound, format!("no route matches `{path}`")).into_response()
}

/// 401 with `WWW-Authenticate: Bearer error="invalid_token"` (RFC 6750 §3). A request
/// without any token gets the same challenge, so clients handle one shape.
pub(crate) fn unauthorized(reason: &str) -> Response {
    let detail = if reason == "missing_token" {
        "an access token is required"
    } else {
        "the access token is invalid, expired or revoked"
    };
    let mut res = Problem::new(Code::InvalidToken, detail).into_response();
    res.headers_mut().insert(
        header::WWW_AUTHENTICATE,
        HeaderValue::from_static(r#"Bearer realm="quorum", error="invalid_token""#),
    );
    res
}

pub(crate) fn auth_unavailable() -> Response {
    Problem::new(
        Code::AuthUnavailable,
        "authentication is temporarily unavailable; retry shortly",
    )
    .into_response()
}

pub(crate) fn too_many_requests(decision: &RateLimitDecision) -> Response {
    let mut res = Problem::new(
        Code::RateLimited,
        "too many requests; retry after the number of seconds in `Retry-After`",
    )
    .into_response();
    decision.write_headers(res.headers_mut());
    res
}

pub(crate) fn bad_gateway() -> Response {
    Problem::new(
        Code::BadGateway,
        "the service behind this route failed to answer",
    )
    .into_response()
}

pub(crate) fn gateway_timeout() -> Response {
    Problem::new(
        Code::GatewayTimeout,
        "the service behind this route did not answer in time",
    )
    .into_response()
}
