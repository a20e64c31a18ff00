//! Authentication primitives for Quorum.
//!
//! - Ed25519 access tokens (JWT, `kid` header, `typ: at+jwt`) signed by a [`KeyRing`] that
//!   rotates keys (a new key is published in the JWKS for a lead time before it signs;
//!   retired keys stay published until the tokens they signed have expired) — `keyring.rs`;
//! - [`SigningKey`], [`Jwk`] and [`Jwks`] (`keys.rs`);
//! - a [`Verifier`] built from a JWKS that checks the algorithm allow-list (EdDSA only),
//!   `kid`, `typ`, `crit` (none understood, so any is refused), `iss`, `aud`, `exp`, `nbf`,
//!   `iat` (not in the future) and the lifetime `exp − iat` (at most the access-token
//!   lifetime) — `verifier.rs`;
//! - a [`RevocationList`] of revoked token ids (`jti`) and sessions (`sid`, see
//!   [`session_key`]), consulted on every request, with an in-process implementation
//!   [`MemoryRevocationList`] and [`SharedRevocationList`] (every replica through a cache
//!   store such as Redis) — `revocation.rs`;
//! - opaque refresh tokens (random, stored hashed) for rotation with reuse detection —
//!   `refresh.rs`;
//! - [`KeySeal`]: signing keys encrypted at rest (AES-256-GCM) under a key from outside the
//!   database — `seal.rs`.
#![forbid(unsafe_code)]

use std::time::Duration;

use serde::{Deserialize, Serialize};
use uuid::Uuid;

mod keyring;
mod keys;
mod refresh;
mod revocation;
mod seal;
mod verifier;

pub use keyring::{KeyRing, DEFAULT_ROTATION_LEAD};
pub use keys::{Jwk, Jwks, SigningKey};
pub use refresh::{generate_refresh_token, hash_refresh_token};
pub use revocation::{
    is_revoked, session_key, MemoryRevocationList, RevocationList, SharedRevocationList,
};
pub use seal::{KeySeal, Opened, SealError, SEALED_PREFIX};
pub use verifier::{Verifier, ACCESS_TOKEN_TYPE, LEEWAY_SECS};

/// Why a token was refused (or a key operation failed).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error("token is malformed")]
    Malformed,
    #[error("token signature is invalid")]
    BadSignature,
    #[error("token algorithm is not allowed")]
    AlgorithmNotAllowed,
    #[error("token was signed with an unknown key `{0}`")]
    UnknownKey(String),
    #[error("token has expired")]
    Expired,
    #[error("token is not valid yet")]
    NotYetValid,
    #[error("token was issued in the future")]
    IssuedInFuture,
    #[error("token lives longer than an access token may")]
    LifetimeTooLong,
    #[error("token names a critical header extension that is not understood")]
    UnsupportedCritical,
    #[error("token was issued for another audience or issuer")]
    WrongAudience,
    #[error("token type is not an access token")]
    WrongType,
    #[error("token has been revoked")]
    Revoked,
    #[error("key error: {0}")]
    Key(String),
    #[error("revocation store unavailable: {0}")]
    Store(String),
}

/// Issuer, audience and lifetimes.
#[derive(Debug, Clone)]
pub struct JwtConfig {
    pub issuer: String,
    pub audience: String,
    pub access_ttl: Duration,
    pub refresh_ttl: Duration,
}

/// Claims of an access token.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessClaims {
    pub sub: Uuid,
    pub iss: String,
    pub aud: String,
    pub exp: i64,
    pub nbf: i64,
    pub iat: i64,
    pub jti: String,
    /// The session (refresh-token family) the token was issued to; revoking the session
    /// revokes every access token that names it. Absent in tokens issued outside a session.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

impl AccessClaims {
    /// `exp` as a timestamp (falls back to "now" for an out-of-range value).
    pub fn expires_at(&self) -> chrono::DateTime<chrono::Utc> {
        chrono::DateTime::from_timestamp(self.exp, 0).unwrap_or_else(chrono::Utc::now)
    }
}
