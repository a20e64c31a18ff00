//! Authentication primitives for Quorum. (Implementation in progress.)
//!
//! - Ed25519 access tokens (JWT, `kid` header, `typ: at+jwt`) signed by a [`KeyRing`] that
//!   rotates keys (a new key is published in the JWKS before it signs; retired keys stay
//!   published until the tokens they signed have expired);
//! - a [`Verifier`] built from a JWKS that checks the algorithm allow-list, `kid`, `typ`,
//!   `iss`, `aud`, `exp` and `nbf`;
//! - a [`RevocationList`] of revoked token ids (`jti`), consulted on every request;
//! - opaque refresh tokens (random, stored hashed) for rotation with reuse detection.

use std::time::Duration;

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

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
}

/// A public key as a JWK (`kty: OKP`, `crv: Ed25519`, `x`, `kid`, `alg: EdDSA`, `use: sig`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Jwk {
    pub kty: String,
    pub crv: String,
    pub x: String,
    pub kid: String,
    pub alg: String,
    #[serde(rename = "use")]
    pub use_: String,
}

/// `{"keys": [...]}` as served at `/.well-known/jwks.json`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Jwks {
    pub keys: Vec<Jwk>,
}

/// An Ed25519 signing key with its lifecycle timestamps.
#[derive(Clone)]
pub struct SigningKey {
    pub kid: String,
    /// PKCS#8 DER of the private key.
    pub pkcs8: Vec<u8>,
    pub created_at: DateTime<Utc>,
    /// When it starts signing (published in the JWKS before then).
    pub activates_at: DateTime<Utc>,
    /// When it stopped signing; it stays in the JWKS until `retired_at + access_ttl`.
    pub retired_at: Option<DateTime<Utc>>,
}

impl SigningKey {
    /// A fresh key, active from `activates_at`.
    pub fn generate(activates_at: DateTime<Utc>) -> Result<Self, AuthError> {
        let _ = activates_at;
        todo!()
    }
    /// The public half as a JWK.
    pub fn jwk(&self) -> Result<Jwk, AuthError> {
        todo!()
    }
}

/// The signing keys of the identity service.
pub struct KeyRing {
    _private: (),
}

impl KeyRing {
    pub fn new(config: JwtConfig, keys: Vec<SigningKey>) -> Result<Self, AuthError> {
        let _ = (config, keys);
        todo!()
    }
    /// Signs an access token for `user`; returns the token and its claims.
    pub fn issue_access(&self, user: Uuid) -> Result<(String, AccessClaims), AuthError> {
        let _ = user;
        todo!()
    }
    /// The published keys: pending, active and recently retired.
    pub fn jwks(&self) -> Jwks {
        todo!()
    }
}

/// Verifies access tokens against a JWKS.
pub struct Verifier {
    _private: (),
}

impl Verifier {
    pub fn new(jwks: &Jwks, issuer: &str, audience: &str) -> Result<Self, AuthError> {
        let _ = (jwks, issuer, audience);
        todo!()
    }
    pub fn verify(&self, token: &str) -> Result<AccessClaims, AuthError> {
        let _ = token;
        todo!()
    }
}

/// Revoked access-token ids, kept until the token would have expired anyway.
#[async_trait]
pub trait RevocationList: Send + Sync + 'static {
    async fn revoke(&self, jti: &str, expires_at: DateTime<Utc>) -> Result<(), AuthError>;
    async fn is_revoked(&self, jti: &str) -> Result<bool, AuthError>;
}
