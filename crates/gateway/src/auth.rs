//! Local access-token verification: a cached JWKS, the [`quorum_auth::Verifier`] built from it,
//! and the revocation check.
//!
//! The JWKS comes from a [`JwksSource`] (see [`crate::jwks`]). The set is refetched lazily when
//! older than `jwks_refresh_secs` (60 s), and at once when a token names an unknown `kid` (at
//! most once per `unknown_kid_refresh_min_secs`, so forged `kid`s cannot hammer the identity
//! service). A failed refetch keeps serving the stale set; with no set at all, requests get
//! 503 (fail closed), as they do when the revocation list cannot answer.
//!
//! Verified tokens are remembered (keyed by the token itself, until the token's `exp`) so a
//! client that sends the same token on every request pays for the Ed25519 signature check
//! once, not per request. The memory belongs to a key set: a refetch that changes the set of
//! `kid`s starts it afresh, so dropping a key from the JWKS takes effect at the next refresh.
//! Revocation is still checked on every request.

use std::sync::{Arc, RwLock};
use std::time::Duration;

use http::{header, HeaderMap};
use quorum_auth::{AccessClaims, AuthError, RevocationList, Verifier};
use tokio::sync::Mutex;
use tokio::time::Instant;

use crate::jwks::JwksSource;

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
    verified: VerifiedTokens,
    fetched_at: Instant,
}

/// Tokens this key set has verified, with their claims.
type VerifiedTokens = moka::sync::Cache<Arc<str>, AccessClaims>;

/// How many verified tokens are remembered (about 400 bytes each).
const VERIFIED_CAPACITY: u64 = 50_000;

fn verified_tokens() -> VerifiedTokens {
    moka::sync::Cache::builder()
        .max_capacity(VERIFIED_CAPACITY)
        // Bounded by `exp` on every hit; the TTL only frees memory of idle entries.
        .time_to_idle(Duration::from_secs(15 * 60))
        .build()
}

#[derive(Default)]
struct RefreshState {
    last_attempt: Option<Instant>,
    last_forced: Option<Instant>,
}

/// After a failed fetch, how long a stale key set is used before trying again.
const RETRY_AFTER_FAILURE: Duration = Duration::from_secs(5);
/// With no key set at all, how often a fetch is retried (requests meanwhile get 503).
const RETRY_WITHOUT_KEYS: Duration = Duration::from_secs(1);

pub(crate) struct Authenticator {
    source: Arc<dyn JwksSource>,
    revocations: Arc<dyn RevocationList>,
    issuer: String,
    audience: String,
    refresh_every: Duration,
    forced_refresh_min: Duration,
    max_lifetime: Duration,
    stream_recheck: Duration,
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
            max_lifetime: Duration::from_secs(settings.max_token_lifetime_secs),
            stream_recheck: Duration::from_secs(settings.stream_recheck_secs.max(1)),
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
        let (verifier, verified) = self.verifier().await.ok_or(AuthFailure::Unavailable)?;
        if let Some(claims) = verified.get(token) {
            if claims.exp > chrono::Utc::now().timestamp() {
                return self.not_revoked(claims).await;
            }
            verified.invalidate(token);
        }
        let claims = match verifier.verify(token) {
            Err(AuthError::UnknownKey(kid)) => {
                tracing::debug!(%kid, "token signed with an unknown key; refreshing the jwks");
                match self.forced_refresh().await {
                    Some((fresh, _)) => fresh.verify(token),
                    None => Err(AuthError::UnknownKey(kid)),
                }
            }
            other => other,
        }
        .map_err(|e| {
            tracing::debug!(error = %e, "access token refused");
            AuthFailure::Invalid(reason(&e))
        })?;
        verified.insert(Arc::from(token), claims.clone());
        self.not_revoked(claims).await
    }

    /// The revocation list requests are checked against (an open event stream keeps asking
    /// it, `crate::streams`), and how often.
    pub(crate) fn revocations(&self) -> (Arc<dyn RevocationList>, Duration) {
        (Arc::clone(&self.revocations), self.stream_recheck)
    }

    async fn not_revoked(&self, claims: AccessClaims) -> Result<AccessClaims, AuthFailure> {
        // By the token's id, or with its whole session (`sid`).
        match quorum_auth::is_revoked(self.revocations.as_ref(), &claims).await {
            Ok(false) => Ok(claims),
            Ok(true) => Err(AuthFailure::Invalid("revoked")),
            Err(e) => {
                tracing::error!(error = %e, "revocation list unavailable; refusing the token");
                Err(AuthFailure::Unavailable)
            }
        }
    }

    fn cached(&self) -> Option<(Arc<Verifier>, VerifiedTokens, Instant)> {
        // A poisoned lock still holds a valid `Option<Cached>` (it is replaced whole).
        let guard = self.cached.read().unwrap_or_else(|e| e.into_inner());
        guard
            .as_ref()
            .map(|c| (Arc::clone(&c.verifier), c.verified.clone(), c.fetched_at))
    }

    /// The current verifier, refetching the JWKS when it is missing or stale.
    async fn verifier(&self) -> Option<(Arc<Verifier>, VerifiedTokens)> {
        if let Some((v, t, at)) = self.cached() {
            if at.elapsed() < self.refresh_every {
                return Some((v, t));
            }
        }
        let mut state = self.refresh.lock().await;
        let current = self.cached();
        if let Some((v, t, at)) = &current {
            if at.elapsed() < self.refresh_every {
                return Some((Arc::clone(v), t.clone())); // another request refreshed meanwhile
            }
        }
        // Back off after a failure: serve the stale set meanwhile, or 503 when there is none.
        let gap = if current.is_some() {
            RETRY_AFTER_FAILURE
        } else {
            RETRY_WITHOUT_KEYS
        };
        let may_try = state.last_attempt.is_none_or(|t| t.elapsed() >= gap);
        if may_try {
            state.last_attempt = Some(Instant::now());
            if let Some(v) = self.fetch().await {
                return Some(v);
            }
        }
        current.map(|(v, t, _)| (v, t))
    }

    /// Refetches at once (a token names an unknown `kid`), unless that happened recently.
    async fn forced_refresh(&self) -> Option<(Arc<Verifier>, VerifiedTokens)> {
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

    async fn fetch(&self) -> Option<(Arc<Verifier>, VerifiedTokens)> {
        let jwks = match self.source.fetch().await {
            Ok(jwks) => jwks,
            Err(e) => {
                tracing::warn!(error = %e, "could not fetch the jwks");
                return None;
            }
        };
        let verifier = match Verifier::new(&jwks, &self.issuer, &self.audience, self.max_lifetime) {
            Ok(v) => Arc::new(v),
            Err(e) => {
                tracing::warn!(error = %e, "the jwks holds no usable key");
                return None;
            }
        };
        tracing::debug!(keys = jwks.keys.len(), "jwks refreshed");
        let mut guard = self.cached.write().unwrap_or_else(|e| e.into_inner());
        // Same keys: what they verified stays verified. Otherwise start afresh.
        let verified = match guard.as_ref() {
            Some(old) if old.verifier.kids() == verifier.kids() => old.verified.clone(),
            _ => verified_tokens(),
        };
        *guard = Some(Cached {
            verifier: Arc::clone(&verifier),
            verified: verified.clone(),
            fetched_at: Instant::now(),
        });
        Some((verifier, verified))
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
        AuthError::IssuedInFuture => "issued_in_future",
        AuthError::LifetimeTooLong => "lifetime_too_long",
        AuthError::UnsupportedCritical => "unsupported_crit",
        _ => "invalid",
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};

    use async_trait::async_trait;
    use chrono::Utc;
    use http::StatusCode;
    use quorum_auth::{Jwks, JwtConfig, KeyRing, MemoryRevocationList, SigningKey};
    use uuid::Uuid;

    use super::*;
    use crate::jwks::JwksError;
    use crate::settings::AuthSettings;

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

    struct FakeSource {
        ring: KeyRing,
        fetches: AtomicUsize,
        broken: AtomicBool,
    }

    #[async_trait]
    impl JwksSource for FakeSource {
        async fn fetch(&self) -> Result<Jwks, JwksError> {
            self.fetches.fetch_add(1, Ordering::SeqCst);
            if self.broken.load(Ordering::SeqCst) {
                return Err(JwksError::Status(StatusCode::SERVICE_UNAVAILABLE));
            }
            Ok(self.ring.jwks())
        }
    }

    fn setup() -> (Arc<FakeSource>, Authenticator) {
        let settings = AuthSettings::default();
        let key = SigningKey::generate(Utc::now() - chrono::Duration::hours(1)).unwrap();
        let config = JwtConfig {
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            access_ttl: Duration::from_secs(900),
            refresh_ttl: Duration::from_secs(3600),
        };
        let source = Arc::new(FakeSource {
            ring: KeyRing::new(config, vec![key]).unwrap(),
            fetches: AtomicUsize::new(0),
            broken: AtomicBool::new(false),
        });
        let auth = Authenticator::new(
            source.clone(),
            Arc::new(MemoryRevocationList::new()),
            &settings,
        );
        (source, auth)
    }

    fn bearer(source: &FakeSource) -> HeaderMap {
        let (token, _) = source.ring.issue_access(Uuid::now_v7()).unwrap();
        let mut h = HeaderMap::new();
        h.insert(
            header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
        h
    }

    #[tokio::test(start_paused = true)]
    async fn the_jwks_is_cached_and_refetched_when_stale() {
        let (source, auth) = setup();
        let headers = bearer(&source);
        auth.authenticate(&headers).await.unwrap();
        auth.authenticate(&headers).await.unwrap();
        assert_eq!(source.fetches.load(Ordering::SeqCst), 1);
        tokio::time::advance(Duration::from_secs(61)).await;
        auth.authenticate(&headers).await.unwrap();
        assert_eq!(source.fetches.load(Ordering::SeqCst), 2);
    }

    #[tokio::test(start_paused = true)]
    async fn a_failed_refresh_keeps_the_stale_keys_and_backs_off() {
        let (source, auth) = setup();
        let headers = bearer(&source);
        auth.authenticate(&headers).await.unwrap();
        source.broken.store(true, Ordering::SeqCst);
        tokio::time::advance(Duration::from_secs(61)).await;
        auth.authenticate(&headers).await.unwrap();
        auth.authenticate(&headers).await.unwrap();
        assert_eq!(
            source.fetches.load(Ordering::SeqCst),
            2,
            "no retry within 5 s"
        );
        tokio::time::advance(RETRY_AFTER_FAILURE).await;
        auth.authenticate(&headers).await.unwrap();
        assert_eq!(source.fetches.load(Ordering::SeqCst), 3);
    }

    #[tokio::test]
    async fn a_remembered_token_is_still_checked_for_revocation() {
        let settings = AuthSettings::default();
        let key = SigningKey::generate(Utc::now() - chrono::Duration::hours(1)).unwrap();
        let config = JwtConfig {
            issuer: settings.issuer.clone(),
            audience: settings.audience.clone(),
            access_ttl: Duration::from_secs(900),
            refresh_ttl: Duration::from_secs(3600),
        };
        let source = Arc::new(FakeSource {
            ring: KeyRing::new(config, vec![key]).unwrap(),
            fetches: AtomicUsize::new(0),
            broken: AtomicBool::new(false),
        });
        let revocations = Arc::new(MemoryRevocationList::new());
        let auth = Authenticator::new(source.clone(), revocations.clone(), &settings);
        let (token, claims) = source.ring.issue_access(Uuid::now_v7()).unwrap();
        let mut headers = HeaderMap::new();
        headers.insert(
            header::AUTHORIZATION,
            format!("Bearer {token}").parse().unwrap(),
        );
        auth.authenticate(&headers).await.unwrap();
        auth.authenticate(&headers).await.unwrap();
        revocations
            .revoke(&claims.jti, claims.expires_at())
            .await
            .unwrap();
        assert!(matches!(
            auth.authenticate(&headers).await,
            Err(AuthFailure::Invalid("revoked"))
        ));
        // A tampered copy of a remembered token is not the same key: it is verified, and fails.
        let mut forged = token.clone();
        forged.pop();
        forged.push(if token.ends_with('A') { 'B' } else { 'A' });
        headers.insert(
            header::AUTHORIZATION,
            format!("Bearer {forged}").parse().unwrap(),
        );
        assert!(matches!(
            auth.authenticate(&headers).await,
            Err(AuthFailure::Invalid(_))
        ));
    }

    #[tokio::test]
    async fn a_token_of_a_revoked_session_is_refused_even_when_remembered() {
        let (source, auth) = setup();
        let (token, _) = source
            .ring
            .issue_session_access(Uuid::now_v7(), "family-1")
            .unwrap();
        let (other, _) = source
            .ring
            .issue_session_access(Uuid::now_v7(), "family-2")
            .unwrap();
        let headers = |t: &str| {
            let mut h = HeaderMap::new();
            h.insert(
                header::AUTHORIZATION,
                format!("Bearer {t}").parse().unwrap(),
            );
            h
        };
        auth.authenticate(&headers(&token)).await.unwrap();
        let (list, _) = auth.revocations();
        list.revoke(
            &quorum_auth::session_key("family-1"),
            Utc::now() + chrono::Duration::seconds(900),
        )
        .await
        .unwrap();
        assert!(matches!(
            auth.authenticate(&headers(&token)).await,
            Err(AuthFailure::Invalid("revoked"))
        ));
        auth.authenticate(&headers(&other)).await.unwrap();
    }

    #[tokio::test(start_paused = true)]
    async fn without_any_keys_requests_fail_closed() {
        let (source, auth) = setup();
        source.broken.store(true, Ordering::SeqCst);
        let headers = bearer(&source);
        assert!(matches!(
            auth.authenticate(&headers).await,
            Err(AuthFailure::Unavailable)
        ));
        assert!(matches!(
            auth.authenticate(&headers).await,
            Err(AuthFailure::Unavailable)
        ));
        assert_eq!(source.fetches.load(Ordering::SeqCst), 1);
        source.broken.store(false, Ordering::SeqCst);
        tokio::time::advance(RETRY_WITHOUT_KEYS).await;
        auth.authenticate(&headers).await.unwrap();
    }
}
