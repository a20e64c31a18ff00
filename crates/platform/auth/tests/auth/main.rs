//! Integration tests of `quorum-auth`.

#![allow(clippy::restriction)] // test code: a failed step should stop the test

mod refresh;
mod revocation;
mod rotation;
mod verify;

use std::time::Duration;

use chrono::{DateTime, Utc};
use quorum_auth::{JwtConfig, KeyRing, SigningKey};

pub(crate) const ISSUER: &str = "quorum";
pub(crate) const AUDIENCE: &str = "quorum-api";

pub(crate) fn config() -> JwtConfig {
    JwtConfig {
        issuer: ISSUER.into(),
        audience: AUDIENCE.into(),
        access_ttl: Duration::from_secs(900),
        refresh_ttl: Duration::from_secs(3600),
    }
}

/// A ring with one key, active since a day ago.
pub(crate) fn ring() -> (KeyRing, SigningKey) {
    let key = SigningKey::generate(Utc::now() - chrono::Duration::days(1)).unwrap();
    (KeyRing::new(config(), vec![key.clone()]).unwrap(), key)
}

pub(crate) fn at(offset_secs: i64) -> DateTime<Utc> {
    Utc::now() + chrono::Duration::seconds(offset_secs)
}
