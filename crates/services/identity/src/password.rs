//! Argon2id password hashing, off the async runtime (`spawn_blocking`).

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::error::ApiError;
use crate::settings::Settings;

/// Hashes and verifies passwords with the configured Argon2id cost. Verification reads the
/// cost from the stored hash, so changing the settings never locks anyone out.
#[derive(Clone)]
pub(crate) struct Hasher {
    argon: Argon2<'static>,
    /// A hash of a random password, verified against when the e-mail is unknown so that
    /// "no such user" takes as long as "wrong password".
    dummy: Arc<str>,
}

impl Hasher {
    pub(crate) fn new(settings: &Settings) -> Result<Self, String> {
        let params = Params::new(
            settings.argon2_memory_kib,
            settings.argon2_iterations,
            settings.argon2_parallelism,
            None,
        )
        .map_err(|e| format!("argon2 parameters: {e}"))?;
        let argon = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let (random, _) = quorum_auth::generate_refresh_token();
        let dummy = hash_with(&argon, &random)?;
        Ok(Self {
            argon,
            dummy: dummy.into(),
        })
    }

    pub(crate) async fn hash(&self, password: &str) -> Result<String, ApiError> {
        let argon = self.argon.clone();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || hash_with(&argon, &password))
            .await
            .map_err(|e| ApiError::Hashing(e.to_string()))?
            .map_err(ApiError::Hashing)
    }

    /// Whether `password` matches `stored`; with no stored hash, burns the same time and
    /// answers `false`.
    pub(crate) async fn verify(
        &self,
        password: &str,
        stored: Option<&str>,
    ) -> Result<bool, ApiError> {
        let argon = self.argon.clone();
        let password = password.to_owned();
        let known = stored.is_some();
        let stored = stored.map_or_else(|| self.dummy.to_string(), str::to_owned);
        let ok = tokio::task::spawn_blocking(move || {
            PasswordHash::new(&stored)
                .map(|hash| argon.verify_password(password.as_bytes(), &hash).is_ok())
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| ApiError::Hashing(e.to_string()))?
        .map_err(ApiError::corrupt)?;
        Ok(known && ok)
    }
}

fn hash_with(argon: &Argon2<'static>, password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    argon
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}
