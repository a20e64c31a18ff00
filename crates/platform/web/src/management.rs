//! Who may read the operations endpoints' details: metrics, build information and the
//! components of health (probes get the bare status from anyone).
//!
//! - With a management port (`management.port`), the details are served on that listener
//!   only (its requests carry [`ManagementListener`]); the main port gives the status alone.
//! - With a management token, a request must also carry `Authorization: Bearer <token>`
//!   (compared in constant time).
//! - With neither, only a client on the same machine may: the connection comes from a
//!   loopback address and carries no forwarding header (`Forwarded`, `X-Forwarded-For`,
//!   `X-Real-IP`), so a reverse proxy on the same host that says whom it forwards for does
//!   not make every client local.

use std::fmt;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::extract::ConnectInfo;
use axum::http::{header, HeaderValue, Request};
use axum::response::{IntoResponse, Response};
use sha2::{Digest, Sha256};

use crate::{Code, Problem};

const FORWARDING_HEADERS: [&str; 3] = ["forwarded", "x-forwarded-for", "x-real-ip"];

/// Marks a request that came in on the management listener (an extension its server
/// inserts).
#[derive(Debug, Clone, Copy)]
pub struct ManagementListener;

/// The access policy of the operations endpoints.
#[derive(Clone, Default)]
pub struct Management {
    /// SHA-256 of the token, so comparing takes the same time whatever the guess.
    token: Option<Arc<[u8; 32]>>,
    /// Whether the details are served on a management listener of their own.
    own_port: bool,
}

impl fmt::Debug for Management {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Management")
            .field("token", &self.token.is_some())
            .field("own_port", &self.own_port)
            .finish()
    }
}

impl Management {
    /// A policy with `token` (blank: none) and, when `own_port`, the details served on the
    /// management listener only.
    pub fn new(token: &str, own_port: bool) -> Self {
        let token = token.trim();
        Self {
            token: (!token.is_empty()).then(|| Arc::new(Sha256::digest(token).into())),
            own_port,
        }
    }

    /// Whether `req` may read the details.
    pub fn allows<B>(&self, req: &Request<B>) -> bool {
        let on_listener = req.extensions().get::<ManagementListener>().is_some();
        if self.own_port && !on_listener {
            return false;
        }
        match &self.token {
            Some(expected) => bearer(req).is_some_and(|given| {
                let given: [u8; 32] = Sha256::digest(given).into();
                given
                    .iter()
                    .zip(expected.iter())
                    .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                    == 0
            }),
            None => on_listener || is_local(req),
        }
    }

    /// The answer to a request [`Management::allows`] refuses.
    pub fn refusal<B>(&self, req: &Request<B>) -> Response {
        let on_listener = req.extensions().get::<ManagementListener>().is_some();
        let detail = if self.own_port && !on_listener {
            "this operations endpoint is served on the management port (`management.port`)"
        } else if self.token.is_some() {
            "this operations endpoint needs `Authorization: Bearer <management.token>`"
        } else {
            "this operations endpoint is served only to clients on the same machine; set \
             `management.token` or `management.port` to read it from elsewhere"
        };
        let mut res = Problem::new(Code::ManagementTokenRequired, detail).into_response();
        res.headers_mut().insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static(r#"Bearer realm="quorum-management""#),
        );
        res
    }
}

fn bearer<B>(req: &Request<B>) -> Option<&str> {
    let value = req.headers().get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

fn is_local<B>(req: &Request<B>) -> bool {
    let peer = req
        .extensions()
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_canonical());
    peer.is_some_and(|ip| ip.is_loopback())
        && FORWARDING_HEADERS
            .iter()
            .all(|name| !req.headers().contains_key(*name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(peer: &str, headers: &[(&str, &str)]) -> Request<()> {
        let mut req = Request::builder().uri("/actuator/prometheus");
        for (name, value) in headers {
            req = req.header(*name, *value);
        }
        let mut req = req.body(()).unwrap();
        let addr: SocketAddr = peer.parse().unwrap();
        req.extensions_mut().insert(ConnectInfo(addr));
        req
    }

    #[test]
    fn without_a_token_only_a_local_client_that_forwards_nobody_is_allowed() {
        let policy = Management::new("  ", false);
        assert!(policy.allows(&request("127.0.0.1:5000", &[])));
        assert!(policy.allows(&request("[::1]:5000", &[])));
        assert!(policy.allows(&request("[::ffff:127.0.0.1]:5000", &[])));
        assert!(!policy.allows(&request("10.0.0.7:5000", &[])));
        let proxied = request("127.0.0.1:5000", &[("x-forwarded-for", "203.0.113.9")]);
        assert!(!policy.allows(&proxied));
        let no_peer = Request::builder().body(()).unwrap();
        assert!(!policy.allows(&no_peer));
    }

    #[test]
    fn with_a_token_the_token_is_what_counts() {
        let policy = Management::new("s3cret", false);
        assert!(!policy.allows(&request("127.0.0.1:5000", &[])));
        let right = [("authorization", "Bearer s3cret")];
        assert!(policy.allows(&request("10.0.0.7:5000", &right)));
        let wrong = [("authorization", "Bearer s3cre")];
        assert!(!policy.allows(&request("10.0.0.7:5000", &wrong)));
        assert!(!format!("{policy:?}").contains("s3cret"));
    }

    #[test]
    fn with_a_management_port_only_its_listener_serves_the_details() {
        let mut on_listener = request("10.0.0.7:5000", &[]);
        on_listener.extensions_mut().insert(ManagementListener);
        let policy = Management::new("", true);
        assert!(policy.allows(&on_listener));
        assert!(!policy.allows(&request("127.0.0.1:5000", &[])), "main port");
        let policy = Management::new("s3cret", true);
        assert!(!policy.allows(&on_listener), "the token is still needed");
        on_listener
            .headers_mut()
            .insert("authorization", "Bearer s3cret".parse().unwrap());
        assert!(policy.allows(&on_listener));
    }
}
