//! The in-process store: a moka future cache whose entries each carry their own TTL.

use std::time::{Duration, Instant};

use async_trait::async_trait;
use moka::Expiry;

use crate::{CacheError, CacheStore};

/// The stored bytes and the TTL they were written with.
#[derive(Clone)]
struct Entry {
    bytes: Vec<u8>,
    ttl: Duration,
}

/// Expires each entry `ttl` after it was created or last overwritten.
struct PerEntryTtl;

impl Expiry<String, Entry> for PerEntryTtl {
    fn expire_after_create(&self, _key: &String, value: &Entry, _now: Instant) -> Option<Duration> {
        Some(value.ttl)
    }

    fn expire_after_update(
        &self,
        _key: &String,
        value: &Entry,
        _now: Instant,
        _remaining: Option<Duration>,
    ) -> Option<Duration> {
        Some(value.ttl)
    }
}

/// The in-process store (moka), bounded by entry count.
pub struct MemoryStore {
    inner: moka::future::Cache<String, Entry>,
}

impl MemoryStore {
    pub fn new(max_entries: u64) -> Self {
        let inner = moka::future::Cache::builder()
            .max_capacity(max_entries)
            .expire_after(PerEntryTtl)
            .build();
        Self { inner }
    }

    /// Drops every entry.
    pub fn clear(&self) {
        self.inner.invalidate_all();
    }
}

#[async_trait]
impl CacheStore for MemoryStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        Ok(self.inner.get(key).await.map(|e| e.bytes))
    }

    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<(), CacheError> {
        let entry = Entry { bytes: value, ttl };
        self.inner.insert(key.to_owned(), entry).await;
        Ok(())
    }

    async fn set_if_absent(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        let entry = Entry { bytes: value, ttl };
        let stored = self
            .inner
            .entry(key.to_owned())
            .or_insert_with(async { entry })
            .await;
        Ok(stored.is_fresh())
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        self.inner.invalidate(key).await;
        Ok(())
    }

    async fn ping(&self) -> Result<(), CacheError> {
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "memory"
    }
}
