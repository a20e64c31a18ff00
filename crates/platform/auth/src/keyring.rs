//! The identity service's signing keys and their rotation.
//!
//! Lifecycle of a key: **pending** (published in the JWKS, not signing yet) → **active**
//! (the newest key whose `activates_at` has passed signs) → **retired** (no longer signs,
//! still published until `retired_at + access_ttl + leeway`, so every token it signed keeps
//! verifying until it expires) → pruned.
//!
//! [`KeyRing::rotate`] adds a pending key that activates after the configured lead time and
//! schedules the current key's retirement for that same instant, so a verifier that fetched
//! the JWKS within the lead time already knows the new key when it first sees it
//! ("publish before use").

use std::sync::RwLock;
use std::time::Duration;

use chrono::{DateTime, Utc};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use uuid::Uuid;

use crate::verifier::{ACCESS_TOKEN_TYPE, LEEWAY_SECS};
use crate::{AccessClaims, AuthError, Jwks, JwtConfig, SigningKey, Verifier};

/// Default time a new key is published before it signs.
pub const DEFAULT_ROTATION_LEAD: Duration = Duration::from_secs(3600);

/// The signing keys of the identity service (shareable: rotation uses interior mutability).
pub struct KeyRing {
    config: JwtConfig,
    lead: Duration,
    keys: RwLock<Vec<SigningKey>>,
}

impl std::fmt::Debug for KeyRing {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyRing")
            .field("config", &self.config)
            .field("lead", &self.lead)
            .field("keys", &self.keys())
            .finish()
    }
}

impl KeyRing {
    /// A ring over `keys` (at least one), with the default rotation lead time.
    pub fn new(config: JwtConfig, keys: Vec<SigningKey>) -> Result<Self, AuthError> {
        if keys.is_empty() {
            return Err(AuthError::Key("a key ring needs at least one key".into()));
        }
        for key in &keys {
            key.jwk()?; // reject unreadable key material up front
        }
        Ok(Self {
            config,
            lead: DEFAULT_ROTATION_LEAD,
            keys: RwLock::new(keys),
        })
    }

    /// Sets how long a new key is published before it starts signing.
    pub fn with_rotation_lead(mut self, lead: Duration) -> Self {
        self.lead = lead;
        self
    }

    pub fn config(&self) -> &JwtConfig {
        &self.config
    }

    /// Signs an access token for `user` outside any session; returns the token and its
    /// claims.
    pub fn issue_access(&self, user: Uuid) -> Result<(String, AccessClaims), AuthError> {
        self.issue_access_at(user, Utc::now())
    }

    /// Signs an access token for `user` in session `sid` (its `sid` claim: revoking the
    /// session revokes the token).
    pub fn issue_session_access(
        &self,
        user: Uuid,
        sid: &str,
    ) -> Result<(String, AccessClaims), AuthError> {
        self.issue(user, Some(sid), Utc::now())
    }

    /// Signs an access token for `user` as if the time were `now`.
    pub fn issue_access_at(
        &self,
        user: Uuid,
        now: DateTime<Utc>,
    ) -> Result<(String, AccessClaims), AuthError> {
        self.issue(user, None, now)
    }

    fn issue(
        &self,
        user: Uuid,
        sid: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<(String, AccessClaims), AuthError> {
        let key = self
            .signing_key_at(now)
            .ok_or_else(|| AuthError::Key("no active signing key".into()))?;
        let iat = now.timestamp();
        let ttl = i64::try_from(self.config.access_ttl.as_secs()).unwrap_or(i64::MAX / 2);
        let claims = AccessClaims {
            sub: user,
            iss: self.config.issuer.clone(),
            aud: self.config.audience.clone(),
            exp: iat.saturating_add(ttl),
            nbf: iat,
            iat,
            jti: Uuid::now_v7().to_string(),
            sid: sid.map(str::to_owned),
        };
        let mut header = Header::new(Algorithm::EdDSA);
        header.typ = Some(ACCESS_TOKEN_TYPE.into());
        header.kid = Some(key.kid.clone());
        let token = jsonwebtoken::encode(&header, &claims, &EncodingKey::from_ed_der(&key.pkcs8))
            .map_err(|e| AuthError::Key(format!("signing failed: {e}")))?;
        Ok((token, claims))
    }

    /// The published keys (pending, active and recently retired) as of now.
    pub fn jwks(&self) -> Jwks {
        self.jwks_at(Utc::now())
    }

    /// The published keys as of `now`.
    pub fn jwks_at(&self, now: DateTime<Utc>) -> Jwks {
        let keys = self.read();
        Jwks {
            keys: keys
                .iter()
                .filter(|k| self.is_published_at(k, now))
                .filter_map(|k| k.jwk().ok())
                .collect(),
        }
    }

    /// A verifier for the ring's own tokens (the keys published now).
    pub fn verifier(&self) -> Result<Verifier, AuthError> {
        Verifier::new(
            &self.jwks(),
            &self.config.issuer,
            &self.config.audience,
            self.config.access_ttl,
        )
    }

    /// The key that signs at `now`: the newest active one.
    pub fn signing_key_at(&self, now: DateTime<Utc>) -> Option<SigningKey> {
        self.read()
            .iter()
            .filter(|k| k.is_active_at(now))
            .max_by_key(|k| k.activates_at)
            .cloned()
    }

    /// A snapshot of every key held (for persistence).
    pub fn keys(&self) -> Vec<SigningKey> {
        self.read().clone()
    }

    /// Replaces every key (e.g. after reloading them from storage that another replica
    /// rotated). Refuses an empty set or unreadable key material.
    pub fn set_keys(&self, keys: Vec<SigningKey>) -> Result<(), AuthError> {
        if keys.is_empty() {
            return Err(AuthError::Key("a key ring needs at least one key".into()));
        }
        for key in &keys {
            key.jwk()?;
        }
        *self.write() = keys;
        Ok(())
    }

    /// Starts a rotation: adds a key that activates at `now + lead` and schedules the current
    /// key's retirement for that instant. Idempotent while a rotation is pending: returns the
    /// pending key instead of adding another. Returns the keys whose state changed (for
    /// persistence), the new/pending key first.
    pub fn rotate(&self, now: DateTime<Utc>) -> Result<Vec<SigningKey>, AuthError> {
        let mut keys = self.write();
        if let Some(pending) = keys
            .iter()
            .find(|k| k.activates_at > now && k.retired_at.is_none())
        {
            return Ok(vec![pending.clone()]);
        }
        let lead = chrono::Duration::from_std(self.lead)
            .map_err(|_| AuthError::Key("rotation lead time out of range".into()))?;
        let activates_at = now + lead;
        let new = SigningKey::generate(activates_at)?;
        let mut changed = vec![new.clone()];
        for key in keys.iter_mut() {
            if key.retired_at.is_none() {
                key.retired_at = Some(activates_at);
                changed.push(key.clone());
            }
        }
        keys.push(new);
        Ok(changed)
    }

    /// Drops keys that are no longer published at `now`; returns their `kid`s.
    pub fn prune(&self, now: DateTime<Utc>) -> Vec<String> {
        let mut keys = self.write();
        let (keep, gone): (Vec<_>, Vec<_>) =
            keys.drain(..).partition(|k| self.is_published_at(k, now));
        *keys = keep;
        gone.into_iter().map(|k| k.kid).collect()
    }

    fn is_published_at(&self, key: &SigningKey, now: DateTime<Utc>) -> bool {
        match key.retired_at {
            None => true,
            Some(retired) => {
                let grace = chrono::Duration::from_std(self.config.access_ttl)
                    .unwrap_or(chrono::Duration::MAX)
                    .checked_add(&chrono::Duration::seconds(LEEWAY_SECS as i64))
                    .unwrap_or(chrono::Duration::MAX);
                retired
                    .checked_add_signed(grace)
                    .is_none_or(|until| now < until)
            }
        }
    }

    fn read(&self) -> std::sync::RwLockReadGuard<'_, Vec<SigningKey>> {
        // A poisoned lock only means a writer panicked; the Vec itself is always valid.
        self.keys.read().unwrap_or_else(|p| p.into_inner())
    }

    fn write(&self) -> std::sync::RwLockWriteGuard<'_, Vec<SigningKey>> {
        self.keys.write().unwrap_or_else(|p| p.into_inner())
    }
}
