//! Local access-token verification: a cached JWKS, the [`quorum_auth::Verifier`] built from it,
//! and the revocation check.
//!
//! The JWKS comes from a [`JwksSource`]; the default one asks the identity upstream for
//! `GET /.well-known/jwks.json` through the same [`Upstream`] the proxy uses, so the all-in-one
//! and distributed modes share one code path. The set is refetched when older than the refresh
//! interval and at once when a token names an unknown `kid` (at most once per
//! `unknown_kid_refresh_min_secs`, so forged `kid`s cannot hammer the identity service).

use std::sync::{Arc, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use axum::body::Body;
use http::{header, HeaderMap, Method, Request, StatusCode};
use http_body_util::BodyExt;
use quorum_auth::{AccessClaims, AuthError, Jwks, RevocationList, Verifier};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::upstream::Upstream;

/// Why no JWKS could be had.
#[derive(Debug, thiserror::Error)]
pub enum JwksError {
    #[error("jwks upstream failed: {0}")]
    Upstream(#[from] crate::upstream::UpstreamError),
    #[error("jwks endpoint answered {0}")]
    Status(StatusCode),
    #[error("jwks document is invalid: {0}")]
    Invalid(String),
}

/// Fetches the identity service's public keys.
#[async_trait]
pub trait JwksSource: Send + Sync + 'static {
    async fn fetch(&self) -> Result<Jwks, JwksError>;
}

/// Fetches the JWKS with a `GET` through an [`Upstream`].
pub struct UpstreamJwks {
    upstream: Arc<dyn Upstream>,
    path: String,
}

const MAX_JWKS_BYTES: usize = 1024 * 1024;
const JWKS_FETCH_TIMEOUT: Duration = Duration::from_secs(5);

impl UpstreamJwks {
    pub fn new(upstream: Arc<dyn Upstream>, path: impl Into<String>) -> Self {
        Self {
            upstream,
            path: path.into(),
        }
    }
}

#[async_trait]
impl JwksSource for UpstreamJwks {
    async fn fetch(&self) -> Result<Jwks, JwksError> {
        let req = Request::builder()
            .method(Method::GET)
            .uri(&self.path)
            .header(header::ACCEPT, "application/json")
            .body(Body::empty())
            .map_err(|e| JwksError::Invalid(format!("bad jwks path: {e}")))?;
        let res = tokio::time::timeout(JWKS_FETCH_TIMEOUT, self.upstream.call(req))
            .await
            .map_err(|_| crate::upstream::UpstreamError::Timeout)??;
        if res.status() != StatusCode::OK {
            return Err(JwksError::Status(res.status()));
        }
        let body = http_body_util::Limited::new(res.into_body(), MAX_JWKS_BYTES)
            .collect()
            .await
            .map_err(|e| JwksError::Invalid(e.to_string()))?
            .to_bytes();
        serde_json::from_slice(&body).map_err(|e| JwksError::Invalid(e.to_string()))
    }
}

/// Why a request was not authenticated.
#[derive(Debug)]
pub(crate) enum AuthFailure {
    /// 401: missing, malformed, expired, tampered, foreign or revoked token.
    Invalid(&'static str),
    /// 503: no keys or no revocation answer; fail closed.
    Unavailable,
}

struct Cached {
    verifier: Arc<Verifier>,
    fetched_at: Instant,
}

#[derive(Default)]
struct RefreshState {
    last_attempt: Option<Instant>,
    last_forced: Option<Instant>,
}

/// After a failed fetch, how long a stale key set is used before trying again.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(5);

pub(crate) struct Authenticator {
    source: Arc<dyn JwksSource>,
    revocations: Arc<dyn RevocationList>,
    issuer: String,
    audience: String,
    refresh_every: Duration,
    forced_refresh_min: Duration,
    cached: RwLock<Option<Cached>>,
    refresh: Mutex<RefreshState>,
}

impl Authenticator {
    pub(crate) fn new(
        source: Arc<dyn JwksSource>,
        revocations: Arc<dyn RevocationList>,
        settings: &crate::settings::AuthSettings,
    ) -> Self {
        Self {
            source,
            revocations,
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            refresh_every: Duration::from_secs(settings.jwks_refresh_secs),
            forced_refresh_min: Duration::from_secs(settings.unknown_kid_refresh_min_secs),
            cached: RwLock::new(None),
            refresh: Mutex::new(RefreshState::default()),
        }
    }

    /// Verifies the bearer token of `headers` and checks it is not revoked.
    pub(crate) async fn authenticate(
        &self,
        headers: &HeaderMap,
    ) -> Result<AccessClaims, AuthFailure> {
        let token = bearer_token(headers).ok_or(AuthFailure::Invalid("missing_token"))?;
        let verifier = self.verifier().await.ok_or(AuthFailure::Unavailable)?;
        let claims = match verifier.verify(token) {
            Err(AuthError::UnknownKey(kid)) => {
                tracing::debug!(%kid, "token signed with an unknown key; refreshing the jwks");
                match self.forced_refresh().await {
                    Some(fresh) => fresh.verify(token),
                    None => Err(AuthError::UnknownKey(kid)),
                }
            }
            other => other,
        }
        .map_err(|e| {
            tracing::debug!(error = %e, "access token refused");
            AuthFailure::Invalid(reason(&e))
        })?;
        match self.revocations.is_revoked(&claims.jti).await {
            Ok(false) => Ok(claims),
            Ok(true) => Err(AuthFailure::Invalid("revoked")),
            Err(e) => {
                tracing::error!(error = %e, "revocation list unavailable; refusing the token");
                Err(AuthFailure::Unavailable)
            }
        }
    }

    fn cached(&self) -> Option<(Arc<Verifier>, Instant)> {
        // A poisoned lock still holds a valid `Option<Cached>` (it is replaced whole).
        let guard = self.cached.read().unwrap_or_else(|e| e.into_inner());
        guard
            .as_ref()
            .map(|c| (Arc::clone(&c.verifier), c.fetched_at))
    }

    /// The current verifier, refetching the JWKS when it is missing or stale.
    async fn verifier(&self) -> Option<Arc<Verifier>> {
        if let Some((v, at)) = self.cached() {
            if at.elapsed() < self.refresh_every {
                return Some(v);
            }
        }
        let mut state = self.refresh.lock().await;
        let current = self.cached();
        if let Some((v, at)) = &current {
            if at.elapsed() < self.refresh_every {
                return Some(Arc::clone(v)); // another request refreshed meanwhile
            }
        }
        let may_try = match state.last_attempt {
            None => true,
            Some(t) => current.is_none() || t.elapsed() >= RETRY_AFTER_FAILURE,
        };
        if may_try {
            state.last_attempt = Some(Instant::now());
            if let Some(v) = self.fetch().await {
                return Some(v);
            }
        }
        current.map(|(v, _)| v)
    }

    /// Refetches at once (a token names an unknown `kid`), unless that happened recently.
    async fn forced_refresh(&self) -> Option<Arc<Verifier>> {
        let mut state = self.refresh.lock().await;
        if state
            .last_forced
            .is_some_and(|t| t.elapsed() < self.forced_refresh_min)
        {
            return None;
        }
        let now = Instant::now();
        state.last_forced = Some(now);
        state.last_attempt = Some(now);
        self.fetch().await
    }

    async fn fetch(&self) -> Option<Arc<Verifier>> {
        let jwks = match self.source.fetch().await {
            Ok(jwks) => jwks,
            Err(e) => {
                tracing::warn!(error = %e, "could not fetch the jwks");
                return None;
            }
        };
        let verifier = match Verifier::new(&jwks, &self.issuer, &self.audience) {
            Ok(v) => Arc::new(v),
            Err(e) => {
                tracing::warn!(error = %e, "the jwks holds no usable key");
                return None;
            }
        };
        tracing::debug!(keys = jwks.keys.len(), "jwks refreshed");
        let mut guard = self.cached.write().unwrap_or_else(|e| e.into_inner());
        *guard = Some(Cached {
            verifier: Arc::clone(&verifier),
            fetched_at: Instant::now(),
        });
        Some(verifier)
    }
}

fn bearer_token(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let token = token.trim();
    (scheme.eq_ignore_ascii_case("bearer") && !token.is_empty()).then_some(token)
}

/// A short, non-sensitive reason for the access log and the `error_description`.
fn reason(e: &AuthError) -> &'static str {
    match e {
        AuthError::Expired => "expired",
        AuthError::NotYetValid => "not_yet_valid",
        AuthError::WrongAudience => "wrong_audience",
        AuthError::Revoked => "revoked",
        AuthError::UnknownKey(_) => "unknown_key",
        AuthError::BadSignature => "bad_signature",
        _ => "invalid",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bearer_token_requires_the_scheme_and_a_value() {
        let mut h = HeaderMap::new();
        assert_eq!(bearer_token(&h), None);
        h.insert(header::AUTHORIZATION, "Bearer abc".parse().unwrap());
        assert_eq!(bearer_token(&h), Some("abc"));
        h.insert(header::AUTHORIZATION, "bearer  abc ".parse().unwrap());
        assert_eq!(bearer_token(&h), Some("abc"));
        h.insert(header::AUTHORIZATION, "Basic abc".parse().unwrap());
        assert_eq!(bearer_token(&h), None);
        h.insert(header::AUTHORIZATION, "Bearer ".parse().unwrap());
        assert_eq!(bearer_token(&h), None);
    }
}
