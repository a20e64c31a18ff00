//! Cache-aside for Quorum services.
//!
//! A [`Cache<V>`] is a named cache with a TTL over a [`CacheStore`] (in-process or Redis).
//! `get_or_load` returns the cached value or loads it once however many callers miss at the
//! same moment (single-flight), `evict` is called after every write, and when the store fails
//! reads fall through to the loader so the service keeps working, only slower.
//!
//! Layout:
//! - this file: the [`CacheStore`] trait, [`CacheSpec`] and the seed's [`specs`];
//! - `cache.rs`: [`Cache<V>`] (namespacing, JSON, TTL, degradation, metrics, [`CacheStats`]);
//! - `flight.rs`: the single-flight table used by `Cache::get_or_load`;
//! - `memory.rs`: [`MemoryStore`], the in-process store (moka, per-entry TTL);
//! - `redis.rs`: [`RedisStore`] and [`TieredStore`] (in-process L1 over Redis, evictions
//!   broadcast to every replica);
//! - `toggle.rs`: [`ToggleStore`], a wrapper that fails on demand (tests, fault injection).

use std::time::Duration;

use async_trait::async_trait;

mod cache;
mod flight;
mod memory;
mod redis;
mod toggle;

pub use cache::{Cache, CacheStats};
pub use memory::MemoryStore;
pub use redis::{RedisLink, RedisStore, TieredStore};
pub use toggle::ToggleStore;

/// A random value from the standard library's per-process hasher keys (identifies a
/// replica's announcements and its lease claims).
pub(crate) fn random_u64() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos()),
    );
    h.finish()
}

/// Failure of the cache store itself (never of the loader).
#[derive(Debug, thiserror::Error)]
#[error("cache unavailable: {0}")]
pub struct CacheError(pub String);

/// Where cached bytes live.
#[async_trait]
pub trait CacheStore: Send + Sync + 'static {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError>;
    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<(), CacheError>;
    async fn delete(&self, key: &str) -> Result<(), CacheError>;
    /// Stores `value` only if `key` holds nothing; `true` when it did. Used to claim a key
    /// (idempotency). The default is a `get` then a `set`, which is not atomic: stores that can
    /// do it atomically (moka's entry API, Redis `SET NX`) override it.
    async fn set_if_absent(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        if self.get(key).await?.is_some() {
            return Ok(false);
        }
        self.set(key, value, ttl).await?;
        Ok(true)
    }
    /// Stores `value` under `key` only while `guard` still holds `token`, then removes
    /// `guard`; `true` when stored. A loader that claimed `guard` before reading the database
    /// writes through this: an eviction that removed `guard` meanwhile means the value it
    /// read may be the one just replaced, and it is kept out. The default is not atomic;
    /// shared stores (Redis) override it with one script.
    async fn set_if_guarded(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Duration,
        guard: &str,
        token: &[u8],
    ) -> Result<bool, CacheError> {
        if self.get(guard).await?.as_deref() != Some(token) {
            return Ok(false);
        }
        self.set(key, value, ttl).await?;
        self.delete(guard).await?;
        Ok(true)
    }
    async fn ping(&self) -> Result<(), CacheError>;
    /// A short name for health output: `memory`, `redis`.
    fn kind(&self) -> &'static str;
    /// Whether other processes share this store (Redis). [`Cache`] then also makes
    /// concurrent misses on one key across processes load it once.
    fn shared(&self) -> bool {
        false
    }
}

/// A cache's name and TTL.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheSpec {
    pub name: &'static str,
    pub ttl: Duration,
}

/// The caches of seed 000 §3.3 with their TTLs.
pub mod specs {
    use super::CacheSpec;
    use std::time::Duration;

    const fn mins(m: u64) -> Duration {
        Duration::from_secs(m * 60)
    }
    pub const USER_PROFILE: CacheSpec = CacheSpec {
        name: "userProfile",
        ttl: mins(30),
    };
    pub const USER_PERMISSIONS: CacheSpec = CacheSpec {
        name: "userPermissions",
        ttl: mins(60),
    };
    pub const MEETING: CacheSpec = CacheSpec {
        name: "meetingInfo",
        ttl: mins(10),
    };
    pub const PARTICIPANTS: CacheSpec = CacheSpec {
        name: "meetingParticipants",
        ttl: mins(10),
    };
    pub const TEMPLATES: CacheSpec = CacheSpec {
        name: "meetingTemplates",
        ttl: mins(60),
    };
    pub const TRANSCRIPT: CacheSpec = CacheSpec {
        name: "transcript",
        ttl: mins(30),
    };
    pub const SECTIONS: CacheSpec = CacheSpec {
        name: "transcriptSections",
        ttl: mins(30),
    };
    pub const TODO_LIST: CacheSpec = CacheSpec {
        name: "todoList",
        ttl: mins(5),
    };
    pub const TODO_STATS: CacheSpec = CacheSpec {
        name: "todoStats",
        ttl: mins(5),
    };
}
