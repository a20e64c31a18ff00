//! Cross-site request forgery: every state change must come from our own pages.
//!
//! Two checks, both on every request that is not a GET or HEAD:
//! 1. the browser says where the request comes from: `Sec-Fetch-Site: cross-site` or an
//!    `Origin` of another host is refused;
//! 2. the request carries the token of the `quorum_csrf` cookie (host-only, SameSite=Strict,
//!    HttpOnly) — in the form field `_csrf`, or in the `X-CSRF-Token` header for scripts.
//!    Another site can make a browser send the cookie (not even that, with SameSite=Strict)
//!    but cannot read it to put it in the form.
//!
//! The middleware gives each page the token to embed ([`CsrfToken`]) and sets the cookie when
//! the browser has none yet.

use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::Response;

use crate::pages::errors::forbidden;
use crate::session::{cookie, random_token, set_cookie};
use crate::AppState;

pub(crate) const COOKIE: &str = "quorum_csrf";
pub(crate) const FIELD: &str = "_csrf";
const HEADER: &str = "x-csrf-token";
/// The largest form the check reads to find the token (uploads send the header instead).
const MAX_FORM_BYTES: usize = 1024 * 1024;

/// The token a page puts into its forms.
#[derive(Debug, Clone)]
pub(crate) struct CsrfToken(pub(crate) String);

/// Refuses a cross-site state change; hands pages their token.
pub(crate) async fn protect(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let existing = cookie(req.headers(), COOKIE).map(str::to_owned);
    let token = existing.clone().unwrap_or_else(random_token);
    // A browser without the cookie gets it with this answer.
    let new_cookie = match existing {
        Some(_) => None,
        None => {
            let year = Duration::from_secs(365 * 24 * 3600);
            set_cookie(&state, req.headers(), COOKIE, &token, Some(year), "Strict")
        }
    };
    let (parts, body) = req.into_parts();
    let mut req = if matches!(parts.method, Method::GET | Method::HEAD) {
        Request::from_parts(parts, body)
    } else {
        if cross_site(&parts.headers) {
            return forbidden(&state, &parts.headers, "csrf.cross_site");
        }
        let Some(expected) = &existing else {
            return forbidden(&state, &parts.headers, "csrf.missing");
        };
        let (sent, body) = match parts.headers.get(HEADER).and_then(|v| v.to_str().ok()) {
            Some(sent) => (Some(sent.to_owned()), body),
            None if is_form(&parts.headers) => {
                let Ok(bytes) = axum::body::to_bytes(body, MAX_FORM_BYTES).await else {
                    return forbidden(&state, &parts.headers, "csrf.missing");
                };
                (form_field(&bytes, FIELD), Body::from(bytes))
            }
            None => (None, body),
        };
        if !sent.is_some_and(|s| constant_time_eq(s.as_bytes(), expected.as_bytes())) {
            return forbidden(&state, &parts.headers, "csrf.missing");
        }
        Request::from_parts(parts, body)
    };
    req.extensions_mut().insert(CsrfToken(token));
    let mut res = next.run(req).await;
    if let Some(v) = new_cookie {
        res.headers_mut().append(header::SET_COOKIE, v);
    }
    res
}

/// The browser says the request comes from another site.
fn cross_site(headers: &HeaderMap) -> bool {
    let fetch_site = headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if fetch_site.eq_ignore_ascii_case("cross-site") {
        return true;
    }
    let host = headers.get(header::HOST).and_then(|v| v.to_str().ok());
    match (
        headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()),
        host,
    ) {
        // `Origin: null` (a sandboxed or privacy-redirected document) is not ours either.
        (Some("null"), _) => true,
        (Some(origin), Some(host)) => {
            let origin_host = origin.split_once("://").map_or(origin, |(_, h)| h);
            !origin_host.eq_ignore_ascii_case(host)
        }
        _ => false,
    }
}

fn is_form(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/x-www-form-urlencoded"))
}

fn form_field(body: &Bytes, name: &str) -> Option<String> {
    form_urlencoded::parse(body)
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.into_owned())
}

fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn another_sites_origin_is_cross_site_and_ours_is_not() {
        assert!(cross_site(&headers(&[("sec-fetch-site", "cross-site")])));
        assert!(cross_site(&headers(&[
            ("origin", "http://evil.example"),
            ("host", "localhost:8080")
        ])));
        assert!(cross_site(&headers(&[("origin", "null")])));
        assert!(!cross_site(&headers(&[
            ("origin", "http://localhost:8080"),
            ("host", "localhost:8080"),
            ("sec-fetch-site", "same-origin")
        ])));
        assert!(!cross_site(&headers(&[])));
    }

    #[test]
    fn the_token_is_read_from_the_form() {
        let body = Bytes::from_static(b"email=a%40b.c&_csrf=abc%2Bd&password=x");
        assert_eq!(form_field(&body, FIELD).as_deref(), Some("abc+d"));
        assert!(constant_time_eq(b"abc", b"abc") && !constant_time_eq(b"abc", b"abd"));
    }
}
