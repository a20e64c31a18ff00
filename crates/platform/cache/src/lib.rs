//! Cache-aside for Quorum services. (Implementation in progress.)
//!
//! A [`Cache<V>`] is a named cache with a TTL over a [`CacheStore`] (in-process or Redis).
//! `get_or_load` returns the cached value or loads it once however many callers miss at the
//! same moment (single-flight), `evict` is called after every write, and when the store fails
//! reads fall through to the loader so the service keeps working, only slower.

use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use serde::de::DeserializeOwned;
use serde::Serialize;

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
    async fn ping(&self) -> Result<(), CacheError>;
    /// A short name for health output: `memory`, `redis`.
    fn kind(&self) -> &'static str;
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
    pub const USER_PROFILE: CacheSpec = CacheSpec { name: "userProfile", ttl: mins(30) };
    pub const USER_PERMISSIONS: CacheSpec = CacheSpec { name: "userPermissions", ttl: mins(60) };
    pub const MEETING: CacheSpec = CacheSpec { name: "meetingInfo", ttl: mins(10) };
    pub const PARTICIPANTS: CacheSpec = CacheSpec { name: "meetingParticipants", ttl: mins(10) };
    pub const TEMPLATES: CacheSpec = CacheSpec { name: "meetingTemplates", ttl: mins(60) };
    pub const TRANSCRIPT: CacheSpec = CacheSpec { name: "transcript", ttl: mins(30) };
    pub const SECTIONS: CacheSpec = CacheSpec { name: "transcriptSections", ttl: mins(30) };
    pub const TODO_LIST: CacheSpec = CacheSpec { name: "todoList", ttl: mins(5) };
    pub const TODO_STATS: CacheSpec = CacheSpec { name: "todoStats", ttl: mins(5) };
}

/// The in-process store (moka), bounded by entry count.
pub struct MemoryStore {
    _private: (),
}

impl MemoryStore {
    pub fn new(max_entries: u64) -> Self {
        let _ = max_entries;
        todo!()
    }
}

/// A named, typed cache-aside view over a store.
pub struct Cache<V> {
    spec: CacheSpec,
    store: Arc<dyn CacheStore>,
    _v: PhantomData<fn() -> V>,
}

impl<V> Clone for Cache<V> {
    fn clone(&self) -> Self {
        Self {
            spec: self.spec,
            store: self.store.clone(),
            _v: PhantomData,
        }
    }
}

impl<V> Cache<V>
where
    V: Serialize + DeserializeOwned + Clone + Send + Sync + 'static,
{
    pub fn new(spec: CacheSpec, store: Arc<dyn CacheStore>) -> Self {
        Self {
            spec,
            store,
            _v: PhantomData,
        }
    }

    /// The cached value for `key`, or `load()`'s, stored with the cache's TTL. Concurrent
    /// misses on one key run `load` once. Errors from `load` are returned and not cached.
    pub async fn get_or_load<E, F, Fut>(&self, key: &str, load: F) -> Result<V, E>
    where
        F: FnOnce() -> Fut + Send,
        Fut: Future<Output = Result<V, E>> + Send,
        E: Send,
    {
        let _ = (key, load, &self.spec, &self.store);
        todo!()
    }

    /// Removes `key` (call after the write that changed it commits).
    pub async fn evict(&self, key: &str) {
        let _ = key;
        todo!()
    }
}
