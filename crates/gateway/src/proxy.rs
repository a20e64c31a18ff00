//! The proxy: match the route, authenticate, rate-limit, enforce the body limit, forward with
//! a timeout and the route's retry policy ([`CallPolicy`]), and map upstream failures to
//! problems. Upload routes get their own limit, timeout and policy. Bodies are never buffered
//! here: they stream to the upstream, counted on the way.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::response::Response;
use http::request::Parts;
use http::{HeaderValue, Request};
use quorum_web::{limit, USER_HEADER};
use uuid::Uuid;

use crate::auth::{AuthFailure, Authenticator};
use crate::problems;
use crate::public::PublicRoutes;
use crate::rate_limit::{Quota, RateLimitDecision, RateLimiter};
use crate::streams;
use crate::uploads::Uploads;
use crate::upstream::{CallPolicy, Upstream, UpstreamError};

/// A route with everything resolved at build time.
pub(crate) struct CompiledRoute {
    pub(crate) prefix: Arc<str>,
    pub(crate) upstream_name: Arc<str>,
    pub(crate) upstream: Arc<dyn Upstream>,
    pub(crate) group: Arc<str>,
    pub(crate) quotas: Vec<Quota>,
    pub(crate) timeout: Duration,
    pub(crate) body_limit: usize,
    /// Per-try timeout and attempts for HTTP upstreams.
    pub(crate) policy: CallPolicy,
}

impl CompiledRoute {
    fn matches(&self, path: &str) -> bool {
        match path.strip_prefix(&*self.prefix) {
            Some(rest) => rest.is_empty() || rest.starts_with('/') || self.prefix.ends_with('/'),
            None => false,
        }
    }
}

pub(crate) struct ProxyState {
    /// Longest prefix first.
    pub(crate) routes: Vec<CompiledRoute>,
    pub(crate) uploads: Uploads,
    pub(crate) public: PublicRoutes,
    pub(crate) auth: Authenticator,
    pub(crate) limiter: Option<Arc<dyn RateLimiter>>,
    pub(crate) trusted_proxy_hops: usize,
}

/// What the proxy learned about a request, handed to the access log through the response
/// extensions.
#[derive(Debug, Clone)]
pub(crate) struct RouteInfo {
    pub(crate) prefix: Arc<str>,
    pub(crate) upstream: Arc<str>,
    pub(crate) user: Option<Uuid>,
}

impl ProxyState {
    fn route_for(&self, path: &str) -> Option<&CompiledRoute> {
        self.routes.iter().find(|r| r.matches(path))
    }
}

pub(crate) async fn proxy(State(state): State<Arc<ProxyState>>, req: Request<Body>) -> Response {
    let (mut parts, body) = req.into_parts();
    let path = parts.uri.path().to_owned();
    let Some(route) = state.route_for(&path) else {
        return problems::not_found(&path);
    };
    let mut info = RouteInfo {
        prefix: Arc::clone(&route.prefix),
        upstream: Arc::clone(&route.upstream_name),
        user: None,
    };
    // Only the gateway asserts who the caller is.
    parts.headers.remove(USER_HEADER);

    // The verified token, to end an event stream with it (`streams.rs`).
    let mut token = None;
    let caller = if state.public.contains(&parts.method, &path) {
        format!("ip:{}", client_ip(&parts, state.trusted_proxy_hops))
    } else {
        match state.auth.authenticate(&parts.headers).await {
            Ok(claims) => {
                let sub = claims.sub;
                // A hyphenated UUID is always a valid header value.
                if let Ok(value) = HeaderValue::from_str(&sub.to_string()) {
                    parts.headers.insert(USER_HEADER, value);
                }
                info.user = Some(sub);
                token = Some(claims);
                format!("user:{sub}")
            }
            Err(AuthFailure::Invalid(reason)) => {
                tracing::debug!(reason, "unauthenticated request");
                return with_info(problems::unauthorized(reason), info);
            }
            Err(AuthFailure::Unavailable) => return with_info(problems::auth_unavailable(), info),
        }
    };

    let decision = match rate_limit(&state, route, &caller).await {
        Ok(decision) => decision,
        Err(refused) => return with_info(refused, info),
    };

    let (body_limit, timeout, mut policy) = if state.uploads.matches(&parts.method, &path) {
        let uploads = &state.uploads;
        (uploads.body_limit, uploads.timeout, uploads.policy)
    } else {
        (route.body_limit, route.timeout, route.policy)
    };
    if limit::declared_length(&parts.headers).is_some_and(|len| len > body_limit as u64) {
        return with_info(limit::too_large(body_limit), info);
    }
    // Bodies without a length (chunked) are cut off at the limit while streaming; whatever
    // the upstream makes of the cut, the client is told the body was too large.
    let (body, cut) = limit::limited(body, body_limit);
    // The upstream gets what would cross the wire: no gateway-internal extensions (such as
    // the gateway's `MatchedPath`), only the client's socket address.
    let connect_info = parts.extensions.remove::<ConnectInfo<SocketAddr>>();
    parts.extensions = http::Extensions::new();
    if let Some(info) = connect_info {
        parts.extensions.insert(info);
    }
    // How an HTTP upstream may retry; no retry outlives the timeout below.
    policy.deadline = Some(tokio::time::Instant::now() + timeout);
    parts.extensions.insert(policy);
    let req = Request::from_parts(parts, body);

    let mut res = match tokio::time::timeout(timeout, route.upstream.call(req)).await {
        Ok(Ok(res)) => res,
        Ok(Err(UpstreamError::Timeout)) | Err(_) => {
            tracing::warn!(upstream = %route.upstream_name, timeout_ms = timeout.as_millis() as u64, "upstream timed out");
            problems::gateway_timeout()
        }
        Ok(Err(e)) => {
            tracing::error!(upstream = %route.upstream_name, error = %e, "upstream failed");
            problems::bad_gateway()
        }
    };
    if cut.tripped() {
        res = limit::too_large(body_limit);
    }
    if let Some(decision) = decision {
        decision.write_headers(res.headers_mut());
    }
    if let Some(claims) = token {
        let (revocations, recheck) = state.auth.revocations();
        res = streams::bound_to_token(res, claims, revocations, recheck);
    }
    with_info(res, info)
}

/// `Ok(Some(decision))` to forward with headers, `Ok(None)` when not limited (or the limiter
/// is down: fail open), `Err(429)` when refused.
async fn rate_limit(
    state: &ProxyState,
    route: &CompiledRoute,
    caller: &str,
) -> Result<Option<RateLimitDecision>, Response> {
    let Some(limiter) = &state.limiter else {
        return Ok(None);
    };
    if route.quotas.is_empty() {
        return Ok(None);
    }
    let key = format!("{}|{caller}", route.group);
    match limiter.check(&key, &route.quotas).await {
        Ok(d) if d.allowed => Ok(Some(d)),
        Ok(d) => {
            metrics::counter!("gateway_rate_limited_total", "group" => route.group.to_string())
                .increment(1);
            tracing::info!(group = %route.group, "rate limit exceeded");
            Err(problems::too_many_requests(&d))
        }
        Err(e) => {
            tracing::warn!(error = %e, "rate limiter unavailable; letting the request through");
            Ok(None)
        }
    }
}

fn with_info(mut res: Response, info: RouteInfo) -> Response {
    res.extensions_mut().insert(info);
    res
}

/// The client address: from `X-Forwarded-For` when `hops` trusted proxies append to it (the
/// entry the outermost trusted proxy added), else the socket peer.
pub(crate) fn client_ip(parts: &Parts, hops: usize) -> String {
    if hops > 0 {
        let forwarded: Vec<&str> = parts
            .headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(','))
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .collect();
        if let Some(ip) = forwarded.get(forwarded.len().saturating_sub(hops)) {
            return (*ip).to_string();
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(addr)| addr.ip().to_string())
        .unwrap_or_else(|| "unknown".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parts(xff: &[&str], peer: Option<&str>) -> Parts {
        let mut req = Request::builder().uri("/");
        for v in xff {
            req = req.header("x-forwarded-for", *v);
        }
        let (mut parts, ()) = req.body(()).unwrap().into_parts();
        if let Some(peer) = peer {
            parts
                .extensions
                .insert(ConnectInfo::<SocketAddr>(peer.parse().unwrap()));
        }
        parts
    }

    #[test]
    fn client_ip_ignores_forwarded_for_unless_trusted() {
        let p = parts(&["6.6.6.6"], Some("10.0.0.1:5000"));
        assert_eq!(client_ip(&p, 0), "10.0.0.1");
        assert_eq!(client_ip(&p, 1), "6.6.6.6");
    }

    #[test]
    fn client_ip_takes_the_entry_of_the_outermost_trusted_proxy() {
        // The client forged the first entry; our one proxy appended the real address.
        let p = parts(&["1.1.1.1, 2.2.2.2"], Some("10.0.0.1:5000"));
        assert_eq!(client_ip(&p, 1), "2.2.2.2");
        assert_eq!(client_ip(&p, 2), "1.1.1.1");
        assert_eq!(client_ip(&p, 5), "1.1.1.1");
        assert_eq!(client_ip(&parts(&[], None), 1), "unknown");
    }
}
