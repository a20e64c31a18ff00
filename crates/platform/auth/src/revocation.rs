//! Revoked access tokens: by token id (`jti`), or a whole session (`sid`) at once.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use chrono::{DateTime, Utc};
use moka::future::Cache;
use moka::Expiry;

use crate::{AccessClaims, AuthError};

/// The revocation-list key that stands for every access token of session `sid` (a token id
/// is a UUID, so the prefix keeps the two apart).
pub fn session_key(sid: &str) -> String {
    format!("sid:{sid}")
}

/// Whether the token of `claims` is revoked: by its `jti`, or with its whole session.
pub async fn is_revoked(
    list: &dyn RevocationList,
    claims: &AccessClaims,
) -> Result<bool, AuthError> {
    if list.is_revoked(&claims.jti).await? {
        return Ok(true);
    }
    match &claims.sid {
        Some(sid) => list.is_revoked(&session_key(sid)).await,
        None => Ok(false),
    }
}

/// Revoked access-token ids (and session keys, [`session_key`]), kept until the tokens
/// they stand for would have expired anyway.
#[async_trait]
pub trait RevocationList: Send + Sync + 'static {
    async fn revoke(&self, jti: &str, expires_at: DateTime<Utc>) -> Result<(), AuthError>;
    async fn is_revoked(&self, jti: &str) -> Result<bool, AuthError>;
}

/// In-process [`RevocationList`]: each entry expires when the revoked token does.
#[derive(Clone)]
pub struct MemoryRevocationList {
    entries: Cache<String, DateTime<Utc>>,
}

impl std::fmt::Debug for MemoryRevocationList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryRevocationList")
            .field("entries", &self.entries.entry_count())
            .finish()
    }
}

struct UntilTokenExpiry;

impl Expiry<String, DateTime<Utc>> for UntilTokenExpiry {
    fn expire_after_create(
        &self,
        _key: &String,
        expires_at: &DateTime<Utc>,
        _created_at: Instant,
    ) -> Option<Duration> {
        Some(remaining(*expires_at))
    }

    fn expire_after_update(
        &self,
        _key: &String,
        expires_at: &DateTime<Utc>,
        _updated_at: Instant,
        _current: Option<Duration>,
    ) -> Option<Duration> {
        Some(remaining(*expires_at))
    }
}

fn remaining(expires_at: DateTime<Utc>) -> Duration {
    (expires_at - Utc::now()).to_std().unwrap_or(Duration::ZERO)
}

impl Default for MemoryRevocationList {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryRevocationList {
    pub fn new() -> Self {
        Self {
            entries: Cache::builder().expire_after(UntilTokenExpiry).build(),
        }
    }
}

#[async_trait]
impl RevocationList for MemoryRevocationList {
    async fn revoke(&self, jti: &str, expires_at: DateTime<Utc>) -> Result<(), AuthError> {
        if expires_at > Utc::now() {
            self.entries.insert(jti.to_owned(), expires_at).await;
        }
        Ok(())
    }

    async fn is_revoked(&self, jti: &str) -> Result<bool, AuthError> {
        Ok(self
            .entries
            .get(jti)
            .await
            .is_some_and(|until| until > Utc::now()))
    }
}

/// A [`RevocationList`] shared by every replica through a cache store (Redis), with an
/// in-process list in front: a logout on any replica is refused on all of them.
///
/// A revocation is written to both; the call fails only when neither took it. When the
/// shared store cannot be read, the answer comes from the in-process list alone (logged):
/// tokens revoked through this replica stay refused, while one revoked through another
/// replica during the outage is accepted until it expires — the alternative, refusing every
/// token while Redis is down, would take the whole API down with the cache.
pub struct SharedRevocationList {
    local: MemoryRevocationList,
    shared: std::sync::Arc<dyn quorum_cache::CacheStore>,
}

impl SharedRevocationList {
    pub fn new(shared: std::sync::Arc<dyn quorum_cache::CacheStore>) -> Self {
        Self {
            local: MemoryRevocationList::new(),
            shared,
        }
    }

    fn key(jti: &str) -> String {
        format!("revoked:{jti}")
    }
}

#[async_trait]
impl RevocationList for SharedRevocationList {
    async fn revoke(&self, jti: &str, expires_at: DateTime<Utc>) -> Result<(), AuthError> {
        self.local.revoke(jti, expires_at).await?;
        let ttl = remaining(expires_at);
        if ttl.is_zero() {
            return Ok(());
        }
        if let Err(e) = self.shared.set(&Self::key(jti), b"1".to_vec(), ttl).await {
            tracing::warn!(error = %e, "revocation kept on this replica only");
        }
        Ok(())
    }

    async fn is_revoked(&self, jti: &str) -> Result<bool, AuthError> {
        if self.local.is_revoked(jti).await? {
            return Ok(true);
        }
        match self.shared.get(&Self::key(jti)).await {
            Ok(found) => Ok(found.is_some()),
            Err(e) => {
                tracing::warn!(error = %e, "shared revocation list unreadable; local list only");
                Ok(false)
            }
        }
    }
}
