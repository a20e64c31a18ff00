//! The outermost middleware: request ids, the access log and the request metrics.
//!
//! A request keeps a client-sent `x-request-id` when it is a short printable token, otherwise
//! gets a UUID v7; the id is forwarded to the upstream, echoed in the response and recorded in
//! the access log line (method, route, status, latency, request id, user id).

use std::time::Instant;

use axum::extract::{MatchedPath, Request};
use axum::middleware::Next;
use axum::response::Response;
use http::{HeaderValue, Method};
use tracing::Instrument;
use uuid::Uuid;

use crate::proxy::RouteInfo;

pub(crate) const REQUEST_ID: &str = "x-request-id";
const MAX_REQUEST_ID_LEN: usize = 128;

pub(crate) async fn observe(mut req: Request, next: Next) -> Response {
    let started = Instant::now();
    let request_id = incoming_request_id(&req).unwrap_or_else(new_request_id);
    req.headers_mut().insert(REQUEST_ID, request_id.clone());
    let method = req.method().clone();
    let matched = req
        .extensions()
        .get::<MatchedPath>()
        .map(|m| m.as_str().to_string());
    let id = request_id.to_str().unwrap_or_default().to_string();
    let span = tracing::info_span!("request", request_id = %id, method = %method);

    let mut res = next.run(req).instrument(span.clone()).await;
    res.headers_mut().insert(REQUEST_ID, request_id);

    let info = res.extensions().get::<RouteInfo>().cloned();
    let route = info
        .as_ref()
        .map(|i| i.prefix.to_string())
        .or(matched)
        .unwrap_or_else(|| "unmatched".to_string());
    let upstream = info
        .as_ref()
        .map(|i| i.upstream.to_string())
        .unwrap_or_else(|| "gateway".to_string());
    let user = info.and_then(|i| i.user);
    let status = res.status().as_u16();
    let latency = started.elapsed();

    metrics::counter!(
        "gateway_requests_total",
        "upstream" => upstream.clone(),
        "method" => method_label(&method),
        "status" => status.to_string(),
    )
    .increment(1);
    metrics::histogram!("gateway_request_duration_seconds", "upstream" => upstream.clone())
        .record(latency.as_secs_f64());

    span.in_scope(|| {
        tracing::info!(
            target: "quorum_gateway::access",
            method = %method,
            route = %route,
            upstream = %upstream,
            status,
            latency_ms = latency.as_secs_f64() * 1000.0,
            request_id = %id,
            user_id = user.map(|u| u.to_string()).unwrap_or_default(),
            "request handled"
        );
    });
    res
}

fn incoming_request_id(req: &Request) -> Option<HeaderValue> {
    let value = req.headers().get(REQUEST_ID)?;
    let ok = !value.is_empty()
        && value.len() <= MAX_REQUEST_ID_LEN
        && value
            .as_bytes()
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || b"-_.:".contains(b));
    ok.then(|| value.clone())
}

fn new_request_id() -> HeaderValue {
    let mut buf = Uuid::encode_buffer();
    let id = Uuid::now_v7().hyphenated().encode_lower(&mut buf);
    // A hyphenated UUID is ASCII hex and dashes: always a valid header value.
    HeaderValue::from_str(id).unwrap_or_else(|_| HeaderValue::from_static("invalid"))
}

/// Bounded label values: the standard methods, everything else `OTHER`.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}
