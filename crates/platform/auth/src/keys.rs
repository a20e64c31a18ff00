//! Ed25519 signing keys and their public JWK form.

use std::fmt;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use ring::rand::SystemRandom;
use ring::signature::{Ed25519KeyPair, KeyPair as _};
use serde::{Deserialize, Serialize};
use sha2::{Digest as _, Sha256};

use crate::AuthError;

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

impl Jwks {
    /// The key with this `kid`, if published.
    pub fn find(&self, kid: &str) -> Option<&Jwk> {
        self.keys.iter().find(|k| k.kid == kid)
    }
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

impl fmt::Debug for SigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SigningKey")
            .field("kid", &self.kid)
            .field("pkcs8", &"<redacted>")
            .field("created_at", &self.created_at)
            .field("activates_at", &self.activates_at)
            .field("retired_at", &self.retired_at)
            .finish()
    }
}

impl SigningKey {
    /// A fresh key, active from `activates_at`. Its `kid` is the RFC 7638 thumbprint.
    pub fn generate(activates_at: DateTime<Utc>) -> Result<Self, AuthError> {
        let doc = Ed25519KeyPair::generate_pkcs8(&SystemRandom::new())
            .map_err(|_| AuthError::Key("could not generate an Ed25519 key".into()))?;
        let pkcs8 = doc.as_ref().to_vec();
        let x = public_x(&pkcs8)?;
        Ok(Self {
            kid: thumbprint(&x),
            pkcs8,
            created_at: Utc::now(),
            activates_at,
            retired_at: None,
        })
    }

    /// The public half as a JWK.
    pub fn jwk(&self) -> Result<Jwk, AuthError> {
        Ok(Jwk {
            kty: "OKP".into(),
            crv: "Ed25519".into(),
            x: public_x(&self.pkcs8)?,
            kid: self.kid.clone(),
            alg: "EdDSA".into(),
            use_: "sig".into(),
        })
    }

    /// Whether this key may sign at `now`.
    pub fn is_active_at(&self, now: DateTime<Utc>) -> bool {
        self.activates_at <= now && self.retired_at.is_none_or(|r| r > now)
    }
}

/// base64url of the raw 32-byte public key.
fn public_x(pkcs8: &[u8]) -> Result<String, AuthError> {
    let pair = Ed25519KeyPair::from_pkcs8_maybe_unchecked(pkcs8)
        .map_err(|e| AuthError::Key(format!("invalid Ed25519 PKCS#8 key: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(pair.public_key().as_ref()))
}

/// RFC 7638 JWK thumbprint (members in lexicographic order, no whitespace).
fn thumbprint(x: &str) -> String {
    let canonical = format!(r#"{{"crv":"Ed25519","kty":"OKP","x":"{x}"}}"#);
    URL_SAFE_NO_PAD.encode(Sha256::digest(canonical.as_bytes()))
}
