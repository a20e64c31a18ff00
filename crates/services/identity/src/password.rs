//! Argon2id password hashing, off the async runtime (`spawn_blocking`).
//!
//! New hashes are of the NFKC form of the password (`crate::domain::normalise_password`).
//! Hashes made before passwords were normalised are of the password as typed; for a password
//! that NFKC changes, [`Hasher::verify`] therefore also tries it as typed, and says so
//! ([`Verdict::RightAsTyped`]) so that the caller stores a normalised hash. Nobody is locked
//! out, and each account moves to the normalised hash at its next sign-in.

use std::sync::Arc;

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier as _, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};

use crate::domain::normalise_password;
use crate::error::ApiError;
use crate::settings::Settings;

/// What checking a password found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Verdict {
    Wrong,
    Right,
    /// Right, against a hash of the password as typed, made before normalisation: store a
    /// new hash.
    RightAsTyped,
}

impl Verdict {
    pub(crate) fn is_right(self) -> bool {
        self != Verdict::Wrong
    }
}

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

    /// Hashes an already normalised password (`crate::domain::Password`).
    pub(crate) async fn hash(&self, password: &str) -> Result<String, ApiError> {
        let argon = self.argon.clone();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || hash_with(&argon, &password))
            .await
            .map_err(|e| ApiError::Hashing(e.to_string()))?
            .map_err(ApiError::Hashing)
    }

    /// Whether `password` (as typed) matches `stored`: its NFKC form, or — for a password
    /// NFKC changes — the password as typed. With no stored hash, burns the same time and
    /// answers [`Verdict::Wrong`].
    pub(crate) async fn verify(
        &self,
        password: &str,
        stored: Option<&str>,
    ) -> Result<Verdict, ApiError> {
        let known = stored.is_some();
        let stored = stored.map_or_else(|| self.dummy.to_string(), str::to_owned);
        let normalised = normalise_password(password);
        let as_typed = (normalised != password).then(|| password.to_owned());
        let right = self.matches(normalised, stored.clone()).await?;
        if right && known {
            return Ok(Verdict::Right);
        }
        if let Some(as_typed) = as_typed {
            if self.matches(as_typed, stored).await? && known && !right {
                return Ok(Verdict::RightAsTyped);
            }
        }
        Ok(Verdict::Wrong)
    }

    async fn matches(&self, password: String, stored: String) -> Result<bool, ApiError> {
        let argon = self.argon.clone();
        tokio::task::spawn_blocking(move || {
            PasswordHash::new(&stored)
                .map(|hash| argon.verify_password(password.as_bytes(), &hash).is_ok())
                .map_err(|e| e.to_string())
        })
        .await
        .map_err(|e| ApiError::Hashing(e.to_string()))?
        .map_err(ApiError::corrupt)
    }
}

fn hash_with(argon: &Argon2<'static>, password: &str) -> Result<String, String> {
    let salt = SaltString::generate(&mut OsRng);
    argon
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hasher() -> Hasher {
        Hasher::new(&Settings {
            argon2_memory_kib: 64,
            argon2_iterations: 1,
            ..Settings::default()
        })
        .unwrap()
    }

    #[tokio::test]
    async fn a_hash_made_before_normalisation_still_signs_in_and_asks_to_be_replaced() {
        let hasher = hasher();
        let typed = "ｐａｓｓ-ｗｏｒｄ-가나다"; // full-width: NFKC changes it
        let legacy = hash_with(&hasher.argon, typed).unwrap();
        assert_eq!(
            hasher.verify(typed, Some(&legacy)).await.unwrap(),
            Verdict::RightAsTyped
        );
        assert_eq!(
            hasher
                .verify("pass-word-가나다", Some(&legacy))
                .await
                .unwrap(),
            Verdict::Wrong,
            "the old hash is of what was typed, so only that matches it"
        );
        let new = hasher.hash(&normalise_password(typed)).await.unwrap();
        assert_eq!(
            hasher.verify(typed, Some(&new)).await.unwrap(),
            Verdict::Right
        );
        assert_eq!(
            hasher.verify("pass-word-가나다", Some(&new)).await.unwrap(),
            Verdict::Right
        );
        assert_eq!(hasher.verify(typed, None).await.unwrap(), Verdict::Wrong);
    }
}
