//! A store wrapper that can be switched off, for tests and fault injection.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;

use crate::{CacheError, CacheStore};

/// Wraps a store and fails every call with [`CacheError`] while switched off.
///
/// For tests and fault injection only (e.g. "the service keeps working when the cache is
/// down"); production wiring never needs it. Starts switched on.
pub struct ToggleStore {
    inner: Arc<dyn CacheStore>,
    up: AtomicBool,
}

impl ToggleStore {
    pub fn new(inner: Arc<dyn CacheStore>) -> Self {
        Self {
            inner,
            up: AtomicBool::new(true),
        }
    }

    /// Switches the store on (`true`, calls pass through) or off (`false`, calls fail).
    pub fn set_available(&self, up: bool) {
        self.up.store(up, Ordering::SeqCst);
    }

    pub fn is_available(&self) -> bool {
        self.up.load(Ordering::SeqCst)
    }

    fn check(&self) -> Result<(), CacheError> {
        if self.is_available() {
            Ok(())
        } else {
            Err(CacheError("store switched off".into()))
        }
    }
}

#[async_trait]
impl CacheStore for ToggleStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        self.check()?;
        self.inner.get(key).await
    }

    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<(), CacheError> {
        self.check()?;
        self.inner.set(key, value, ttl).await
    }

    async fn set_if_absent(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        self.check()?;
        self.inner.set_if_absent(key, value, ttl).await
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        self.check()?;
        self.inner.delete(key).await
    }

    async fn ping(&self) -> Result<(), CacheError> {
        self.check()?;
        self.inner.ping().await
    }

    fn kind(&self) -> &'static str {
        self.inner.kind()
    }
}
