//! [`Cache<V>`]: a named, typed cache-aside view over a [`CacheStore`].

use std::future::Future;
use std::marker::PhantomData;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::flight::{self, Flights, Outcome, Role};
use crate::{CacheSpec, CacheStore};

/// How long a process may hold the right to load a key in a shared store before others stop
/// waiting for it and load it themselves.
const LEASE: std::time::Duration = std::time::Duration::from_secs(2);
const LEASE_POLL: std::time::Duration = std::time::Duration::from_millis(10);

#[derive(Debug, Clone, PartialEq, Eq)]
enum Lease {
    /// The store is not shared (or could not be asked): local single-flight only.
    Local,
    /// Ours, with the token that tells it from a later claim.
    Ours(Vec<u8>),
    Taken,
}

fn lease_key(full: &str) -> String {
    format!("loading:{full}")
}

/// A token no other claim (in any process) holds: a per-process random value and a counter.
fn lease_token() -> Vec<u8> {
    static PROCESS: std::sync::LazyLock<u64> = std::sync::LazyLock::new(crate::random_u64);
    static NEXT: AtomicU64 = AtomicU64::new(0);
    format!("{:016x}-{}", *PROCESS, NEXT.fetch_add(1, Ordering::Relaxed)).into_bytes()
}

/// In-process counters of one [`Cache`] (shared by its clones), for tests and health output.
///
/// `hits`: calls answered without running their loader (from the store, or from another
/// caller's concurrent load). `misses`: calls that ran their loader. `errors`: failed store
/// operations and undecodable entries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct CacheStats {
    pub hits: u64,
    pub misses: u64,
    pub errors: u64,
}

#[derive(Default)]
struct Counters {
    hits: AtomicU64,
    misses: AtomicU64,
    errors: AtomicU64,
}

/// A named, typed cache-aside view over a store.
///
/// Keys are namespaced as `"{name}:{key}"` and values stored as JSON with the spec's TTL.
/// Single-flight and [`CacheStats`] are per `Cache` value and shared by its clones, so build
/// one per cache and clone it (not one per request). Over a shared store (Redis),
/// single-flight also spans processes: the first to miss takes a short lease
/// (`loading:<key>`, 2 s) and the others wait for its value. [`Cache::evict`] removes the
/// lease too, and the loader stores its value only while it still holds its lease: a load
/// that read the database before another process's write committed is returned to its
/// caller but never cached (the cache-aside race across replicas).
///
/// When a loader fails, its caller gets the error and nothing is cached; callers that were
/// waiting on that load then run their own loader once each (concurrently), so every caller
/// sees its own loader's result or error. When the store fails, the failure is logged at
/// `warn`, counted, and the call carries on as a miss: reads still succeed from the loader.
pub struct Cache<V> {
    spec: CacheSpec,
    store: Arc<dyn CacheStore>,
    flights: Arc<Flights<V>>,
    counters: Arc<Counters>,
    _v: PhantomData<fn() -> V>,
}

impl<V> Clone for Cache<V> {
    fn clone(&self) -> Self {
        Self {
            spec: self.spec,
            store: self.store.clone(),
            flights: self.flights.clone(),
            counters: self.counters.clone(),
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
            flights: Arc::new(Flights::new()),
            counters: Arc::default(),
            _v: PhantomData,
        }
    }

    pub fn spec(&self) -> CacheSpec {
        self.spec
    }

    /// A snapshot of this cache's counters.
    pub fn stats(&self) -> CacheStats {
        CacheStats {
            hits: self.counters.hits.load(Ordering::Relaxed),
            misses: self.counters.misses.load(Ordering::Relaxed),
            errors: self.counters.errors.load(Ordering::Relaxed),
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
        let full = self.full_key(key);
        if let Some(v) = self.read(&full).await {
            self.record_hit();
            return Ok(v);
        }
        loop {
            match self.flights.join(&full) {
                Role::Leader(leader) => {
                    // A flight may have filled the store between our read and `join`.
                    if let Some(v) = self.read(&full).await {
                        leader.publish(Outcome::Loaded(v.clone()));
                        self.record_hit();
                        return Ok(v);
                    }
                    // Another process may be loading it: wait for its value instead.
                    let lease = self.claim(&full).await;
                    if lease == Lease::Taken {
                        if let Some(v) = self.wait_for_other(&full).await {
                            leader.publish(Outcome::Loaded(v.clone()));
                            self.record_hit();
                            return Ok(v);
                        }
                    }
                    self.record_miss();
                    let loaded = load().await;
                    return match loaded {
                        Ok(v) => {
                            leader.publish(Outcome::Loaded(v.clone()));
                            match &lease {
                                Lease::Ours(token) => self.write_leased(&full, &v, token).await,
                                // (A shared store that could not be asked for a lease is
                                // left alone too: the write would be unguarded.)
                                Lease::Local if !leader.is_stale() && !self.store.shared() => {
                                    self.write(&full, &v).await
                                }
                                // Unguarded in a shared store (the other loader vanished):
                                // not cached, it could race a write elsewhere.
                                Lease::Local | Lease::Taken => {}
                            }
                            Ok(v)
                        }
                        Err(e) => {
                            if matches!(lease, Lease::Ours(_)) {
                                self.release(&full).await;
                            }
                            leader.publish(Outcome::Failed);
                            Err(e)
                        }
                    };
                }
                Role::Follower(rx) => match flight::wait(rx).await {
                    Some(Outcome::Loaded(v)) => {
                        self.record_hit();
                        return Ok(v);
                    }
                    Some(Outcome::Failed | Outcome::Pending) => {
                        self.record_miss();
                        let v = load().await?;
                        // Without a lease, a shared store is left alone (see above).
                        if !self.store.shared() {
                            self.write(&full, &v).await;
                        }
                        return Ok(v);
                    }
                    // The leader was cancelled: join again (possibly as the new leader).
                    None => continue,
                },
            }
        }
    }

    /// Removes `key` (call after the write that changed it commits). A load of `key` running
    /// at that moment — in this cache, or in another process over a shared store — still
    /// answers its callers but is not stored.
    pub async fn evict(&self, key: &str) {
        let full = self.full_key(key);
        self.flights.mark_stale(&full);
        if self.store.shared() {
            // Revokes a loader's lease: what it read may predate the write.
            self.release(&full).await;
        }
        if let Err(e) = self.store.delete(&full).await {
            self.record_error("delete", &full, &e);
        }
    }

    fn full_key(&self, key: &str) -> String {
        format!("{}:{}", self.spec.name, key)
    }

    /// Claims the right to load `full` across processes (shared stores only).
    async fn claim(&self, full: &str) -> Lease {
        if !self.store.shared() {
            return Lease::Local;
        }
        let token = lease_token();
        match self
            .store
            .set_if_absent(&lease_key(full), token.clone(), LEASE)
            .await
        {
            Ok(true) => Lease::Ours(token),
            Ok(false) => Lease::Taken,
            Err(e) => {
                self.record_error("claim", full, &e);
                Lease::Local
            }
        }
    }

    async fn release(&self, full: &str) {
        if let Err(e) = self.store.delete(&lease_key(full)).await {
            self.record_error("release", full, &e);
        }
    }

    /// Polls for the value another process is loading, for at most [`LEASE`]; `None` when
    /// it did not come — its lease ended without a value (its loader failed, or an eviction
    /// revoked it) or ran out (the process died) — and the caller loads it itself.
    async fn wait_for_other(&self, full: &str) -> Option<V> {
        let deadline = tokio::time::Instant::now() + LEASE;
        while tokio::time::Instant::now() < deadline {
            tokio::time::sleep(LEASE_POLL).await;
            if let Some(v) = self.read(full).await {
                return Some(v);
            }
            match self.store.get(&lease_key(full)).await {
                Ok(None) => return self.read(full).await,
                Ok(Some(_)) => {}
                Err(e) => {
                    self.record_error("get", full, &e);
                    return None;
                }
            }
        }
        None
    }

    async fn read(&self, full: &str) -> Option<V> {
        let bytes = match self.store.get(full).await {
            Ok(bytes) => bytes?,
            Err(e) => {
                self.record_error("get", full, &e);
                return None;
            }
        };
        match serde_json::from_slice(&bytes) {
            Ok(v) => Some(v),
            Err(e) => {
                self.record_error("decode", full, &e);
                None
            }
        }
    }

    /// Stores `value` if the lease `token` still holds (no eviction since the claim).
    async fn write_leased(&self, full: &str, value: &V, token: &[u8]) {
        let bytes = match serde_json::to_vec(value) {
            Ok(bytes) => bytes,
            Err(e) => return self.record_error("encode", full, &e),
        };
        match self
            .store
            .set_if_guarded(full, bytes, self.spec.ttl, &lease_key(full), token)
            .await
        {
            Ok(true) => {}
            Ok(false) => tracing::debug!(
                cache = self.spec.name,
                key = full,
                "evicted while loading; the loaded value is not cached"
            ),
            Err(e) => self.record_error("set", full, &e),
        }
    }

    async fn write(&self, full: &str, value: &V) {
        let bytes = match serde_json::to_vec(value) {
            Ok(bytes) => bytes,
            Err(e) => return self.record_error("encode", full, &e),
        };
        if let Err(e) = self.store.set(full, bytes, self.spec.ttl).await {
            self.record_error("set", full, &e);
        }
    }

    fn record_hit(&self) {
        self.counters.hits.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("cache_requests_total", "cache" => self.spec.name, "result" => "hit")
            .increment(1);
    }

    fn record_miss(&self) {
        self.counters.misses.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("cache_requests_total", "cache" => self.spec.name, "result" => "miss")
            .increment(1);
    }

    fn record_error(&self, op: &'static str, key: &str, error: &dyn std::error::Error) {
        self.counters.errors.fetch_add(1, Ordering::Relaxed);
        metrics::counter!("cache_errors_total", "cache" => self.spec.name, "op" => op).increment(1);
        tracing::warn!(cache = self.spec.name, op, key, %error, "cache store failed; using the loader");
    }
}
