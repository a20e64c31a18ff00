//! Sessions: an opaque cookie in the browser, the tokens on the server.
//!
//! The cookie `quorum_session` holds 256 random bits; the store keeps the session under the
//! SHA-256 of that value (a look at the store does not give anyone a cookie). The access
//! token is refreshed shortly before it expires, one refresh at a time per session in this
//! process (two tabs must not spend the same refresh token: identity would take the second
//! use for theft and end the session).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{header, HeaderMap, HeaderValue, Method};
use axum::response::{IntoResponse, Redirect, Response};
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use quorum_cache::CacheStore;
use rand::RngCore as _;
use serde::{Deserialize, Serialize};
use serde_json::json;
use sha2::{Digest as _, Sha256};

use crate::api::{ApiFailure, Peer};
use crate::settings::SecureCookies;
use crate::AppState;

pub(crate) const COOKIE: &str = "quorum_session";

/// Refresh when the access token has less than this left.
const REFRESH_MARGIN_SECS: i64 = 60;

/// What the server keeps for a signed-in browser.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Session {
    pub(crate) user_id: String,
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) locale: Option<String>,
    /// The profile's time zone (an IANA name), when chosen.
    #[serde(default)]
    pub(crate) time_zone: Option<String>,
    pub(crate) access_token: String,
    /// Unix seconds.
    pub(crate) access_expires_at: i64,
    pub(crate) refresh_token: String,
}

/// The token pair identity answers login and refresh with.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TokenPair {
    pub(crate) access_token: String,
    pub(crate) refresh_token: String,
    pub(crate) expires_in: i64,
}

#[derive(Clone)]
pub(crate) struct Sessions {
    store: Arc<dyn CacheStore>,
    ttl: Duration,
    refreshing: Arc<Mutex<HashMap<String, Arc<tokio::sync::Mutex<()>>>>>,
}

/// 256 random bits, URL-safe.
pub(crate) fn random_token() -> String {
    let mut bytes = [0u8; 32];
    rand::thread_rng().fill_bytes(&mut bytes);
    URL_SAFE_NO_PAD.encode(bytes)
}

fn key(id: &str) -> String {
    let digest = Sha256::digest(id.as_bytes());
    format!("web:session:{}", URL_SAFE_NO_PAD.encode(digest))
}

/// Where the keys of a user's sessions are listed (for "sign out everywhere").
fn index_key(user_id: &str) -> String {
    format!("web:sessions-of:{user_id}")
}

pub(crate) fn now_secs() -> i64 {
    chrono::Utc::now().timestamp()
}

impl Sessions {
    pub(crate) fn new(store: Arc<dyn CacheStore>, ttl: Duration) -> Self {
        Self {
            store,
            ttl,
            refreshing: Arc::default(),
        }
    }

    /// Stores a new session; the id goes into the cookie.
    pub(crate) async fn create(&self, session: &Session) -> Option<String> {
        let id = random_token();
        if !self.put(&id, session).await {
            return None;
        }
        self.list(&session.user_id, &key(&id)).await;
        Some(id)
    }

    /// Adds `session_key` to the user's list, dropping the sessions that have ended.
    async fn list(&self, user_id: &str, session_key: &str) {
        let index = index_key(user_id);
        let mut keys: Vec<String> = match self.store.get(&index).await {
            Ok(Some(bytes)) => serde_json::from_slice(&bytes).unwrap_or_default(),
            _ => Vec::new(),
        };
        let mut live = Vec::with_capacity(keys.len() + 1);
        for k in keys.drain(..) {
            if matches!(self.store.get(&k).await, Ok(Some(_))) {
                live.push(k);
            }
        }
        live.push(session_key.to_owned());
        if let Ok(bytes) = serde_json::to_vec(&live) {
            if let Err(e) = self.store.set(&index, bytes, self.ttl).await {
                tracing::warn!(error = %e, "session store unavailable; session not listed");
            }
        }
    }

    /// Ends every session of `user_id` in every browser at once.
    pub(crate) async fn end_all(&self, user_id: &str) {
        let index = index_key(user_id);
        let keys: Vec<String> = match self.store.get(&index).await {
            Ok(Some(bytes)) => serde_json::from_slice(&bytes).unwrap_or_default(),
            _ => Vec::new(),
        };
        for k in keys.iter().chain(std::iter::once(&index)) {
            if let Err(e) = self.store.delete(k).await {
                tracing::warn!(error = %e, "session store unavailable; a session was not ended");
            }
        }
    }

    pub(crate) async fn get(&self, id: &str) -> Option<Session> {
        match self.store.get(&key(id)).await {
            Ok(Some(bytes)) => serde_json::from_slice(&bytes).ok(),
            Ok(None) => None,
            Err(e) => {
                tracing::warn!(error = %e, "session store unavailable; treated as signed out");
                None
            }
        }
    }

    async fn put(&self, id: &str, session: &Session) -> bool {
        let Ok(bytes) = serde_json::to_vec(session) else {
            return false;
        };
        match self.store.set(&key(id), bytes, self.ttl).await {
            Ok(()) => true,
            Err(e) => {
                tracing::warn!(error = %e, "session store unavailable; the session is not kept");
                false
            }
        }
    }

    /// Stores `session` under an existing id (a changed language, refreshed tokens).
    pub(crate) async fn replace(&self, id: &str, session: &Session) {
        self.put(id, session).await;
    }

    pub(crate) async fn delete(&self, id: &str) {
        if let Err(e) = self.store.delete(&key(id)).await {
            tracing::warn!(error = %e, "session store unavailable; session not deleted");
        }
    }

    /// The session with an access token good for at least a minute: refreshed through the
    /// API when needed. `None` when the session is over (refresh refused): it is deleted.
    async fn fresh(&self, state: &AppState, id: &str, peer: &Peer) -> Option<Session> {
        let session = self.get(id).await?;
        if session.access_expires_at - REFRESH_MARGIN_SECS > now_secs() {
            return Some(session);
        }
        let lock = {
            let Ok(mut locks) = self.refreshing.lock() else {
                return None;
            };
            locks.entry(id.to_owned()).or_default().clone()
        };
        let _one_at_a_time = lock.lock().await;
        // Another request may have refreshed while this one waited.
        let session = self.get(id).await?;
        let result = if session.access_expires_at - REFRESH_MARGIN_SECS > now_secs() {
            Some(session)
        } else {
            self.refresh(state, id, session, peer).await
        };
        if let Ok(mut locks) = self.refreshing.lock() {
            locks.remove(id);
        }
        result
    }

    async fn refresh(
        &self,
        state: &AppState,
        id: &str,
        mut session: Session,
        peer: &Peer,
    ) -> Option<Session> {
        let body = json!({ "refreshToken": session.refresh_token });
        let reply = state
            .api
            .call(Method::POST, "/api/users/refresh", None, Some(&body), peer)
            .await;
        match reply.and_then(|r| r.json::<TokenPair>()) {
            Ok(pair) => {
                session.access_token = pair.access_token;
                session.refresh_token = pair.refresh_token;
                session.access_expires_at = now_secs() + pair.expires_in;
                self.put(id, &session).await;
                Some(session)
            }
            Err(e) => {
                tracing::info!(error = %e, "session ended: its refresh token was refused");
                self.delete(id).await;
                None
            }
        }
    }
}

/// The value of cookie `name` in `headers`.
pub(crate) fn cookie<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

/// Whether the browser reached us over TLS (directly, or as the proxy in front says).
fn over_tls(headers: &HeaderMap) -> bool {
    headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.eq_ignore_ascii_case("https"))
}

/// A `Set-Cookie` value for the session cookie (`value` empty: remove it).
pub(crate) fn set_cookie(
    state: &AppState,
    headers: &HeaderMap,
    name: &str,
    value: &str,
    max_age: Option<Duration>,
    same_site: &str,
) -> Option<HeaderValue> {
    let secure = match state.settings.secure_cookies {
        SecureCookies::Always => true,
        SecureCookies::Never => false,
        SecureCookies::Auto => over_tls(headers),
    };
    let age = match max_age {
        Some(age) => age.as_secs().to_string(),
        None => "0".into(),
    };
    let mut cookie =
        format!("{name}={value}; Path=/; HttpOnly; SameSite={same_site}; Max-Age={age}");
    if secure {
        cookie.push_str("; Secure");
    }
    HeaderValue::from_str(&cookie).ok()
}

/// A signed-in user's request: the session (with a fresh access token) and its id.
pub(crate) struct SignedIn {
    pub(crate) id: String,
    pub(crate) session: Session,
    pub(crate) peer: Peer,
}

/// What an optional session extractor yields.
pub(crate) struct MaybeSignedIn(pub(crate) Option<SignedIn>);

impl FromRequestParts<AppState> for MaybeSignedIn {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Ok(peer) = Peer::from_request_parts(parts, state).await;
        let Some(id) = cookie(&parts.headers, COOKIE).map(str::to_owned) else {
            return Ok(Self(None));
        };
        Ok(Self(
            state
                .sessions
                .fresh(state, &id, &peer)
                .await
                .map(|session| SignedIn { id, session, peer }),
        ))
    }
}

impl FromRequestParts<AppState> for SignedIn {
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let Ok(MaybeSignedIn(signed_in)) = MaybeSignedIn::from_request_parts(parts, state).await;
        signed_in.ok_or_else(|| Redirect::to("/login").into_response())
    }
}

impl SignedIn {
    /// `method path` with a JSON body as this user: the API's answer, whatever its status.
    pub(crate) async fn send(
        &self,
        state: &AppState,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<crate::api::Reply, ApiFailure> {
        state
            .api
            .call(
                method,
                path,
                Some(&self.session.access_token),
                body,
                &self.peer,
            )
            .await
    }

    /// `method path` with `outgoing` as this user: the answer unread (see [`Api::open`]).
    ///
    /// [`Api::open`]: crate::api::Api::open
    pub(crate) async fn open(
        &self,
        state: &AppState,
        method: Method,
        path: &str,
        outgoing: crate::api::Outgoing,
    ) -> Result<Response, ApiFailure> {
        state
            .api
            .open(
                method,
                path,
                Some(&self.session.access_token),
                outgoing,
                &self.peer,
            )
            .await
    }

    /// `GET path` as this user.
    pub(crate) async fn get<T: serde::de::DeserializeOwned>(
        &self,
        state: &AppState,
        path: &str,
    ) -> Result<T, ApiFailure> {
        state
            .api
            .get_json(path, &self.session.access_token, &self.peer)
            .await
    }
}
