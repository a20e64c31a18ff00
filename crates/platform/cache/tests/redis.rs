//! The Redis store and the two-level store against a real Redis: TTLs and claims, evictions
//! that reach every replica, and a Redis that goes away and comes back.
//!
//! Uses `QUORUM_TEST_REDIS_URL` (the test script sets it) for the shared server, and starts a
//! private `redis-server` for the outage test.

#![allow(clippy::restriction)] // test code: a failed step should stop the test

use std::net::TcpListener;
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use quorum_cache::{Cache, CacheSpec, CacheStore, RedisStore, TieredStore};

const SPEC: CacheSpec = CacheSpec {
    name: "meeting",
    ttl: Duration::from_secs(60),
};

fn redis_url() -> Option<String> {
    match std::env::var("QUORUM_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("QUORUM_TEST_REDIS_URL not set; Redis tests skipped");
            None
        }
    }
}

fn prefix() -> String {
    format!("t{}:", uuid::Uuid::new_v4().simple())
}

async fn eventually(what: &str, mut check: impl AsyncFnMut() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check().await {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn redis_keeps_values_with_their_ttl_and_a_key_is_claimed_once() {
    let Some(url) = redis_url() else { return };
    let store = RedisStore::new(&url, &prefix()).unwrap();
    store.ping().await.unwrap();
    assert_eq!(store.kind(), "redis");
    store
        .set("a", b"one".to_vec(), Duration::from_secs(60))
        .await
        .unwrap();
    assert_eq!(store.get("a").await.unwrap(), Some(b"one".to_vec()));
    store.delete("a").await.unwrap();
    assert_eq!(store.get("a").await.unwrap(), None);

    store
        .set("short", b"x".to_vec(), Duration::from_millis(150))
        .await
        .unwrap();
    assert!(store.get("short").await.unwrap().is_some());
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(store.get("short").await.unwrap(), None, "expired");

    let ttl = Duration::from_secs(60);
    assert!(store
        .set_if_absent("claim", b"1".to_vec(), ttl)
        .await
        .unwrap());
    assert!(!store
        .set_if_absent("claim", b"2".to_vec(), ttl)
        .await
        .unwrap());
    assert_eq!(store.get("claim").await.unwrap(), Some(b"1".to_vec()));
}

/// Loads `"<label>-<n>"` where n counts the loads.
/// The same cache in two replicas: each its own two-level store on one Redis prefix.
fn two_replicas(url: &str) -> (Cache<String>, Cache<String>) {
    let p = prefix();
    let tiered = || -> Arc<dyn CacheStore> {
        Arc::new(TieredStore::new(
            RedisStore::new(url, &p).unwrap(),
            1_000,
            Duration::from_secs(300),
        ))
    };
    (Cache::new(SPEC, tiered()), Cache::new(SPEC, tiered()))
}

async fn load(calls: &AtomicUsize, label: &str) -> Result<String, String> {
    let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
    Ok(format!("{label}-{n}"))
}

#[tokio::test]
async fn a_write_on_one_replica_is_not_served_stale_by_another() {
    let Some(url) = redis_url() else { return };
    let (a, b) = two_replicas(&url);
    let calls = AtomicUsize::new(0);
    // Let both listeners subscribe.
    tokio::time::sleep(Duration::from_millis(300)).await;

    assert_eq!(
        a.get_or_load("m1", || load(&calls, "v")).await.unwrap(),
        "v-1"
    );
    // Replica b finds it in Redis (no load) and keeps it in its L1.
    assert_eq!(
        b.get_or_load("m1", || load(&calls, "v")).await.unwrap(),
        "v-1"
    );
    assert_eq!(calls.load(Ordering::SeqCst), 1);

    // A write handled by replica a evicts; replica b must not keep serving v-1 from its L1.
    a.evict("m1").await;
    eventually("replica b to drop its copy", async || {
        b.get_or_load("m1", || load(&calls, "v")).await.unwrap() != "v-1"
    })
    .await;
    assert_eq!(
        calls.load(Ordering::SeqCst),
        2,
        "reloaded once, then shared"
    );
    assert_eq!(
        a.get_or_load("m1", || load(&calls, "v")).await.unwrap(),
        "v-2"
    );
}

/// A private Redis on a free port, killed when dropped.
struct PrivateRedis {
    port: u16,
    child: Option<Child>,
}

impl PrivateRedis {
    fn start(port: u16) -> Self {
        let child = Command::new("redis-server")
            .args(["--port", &port.to_string(), "--bind", "127.0.0.1"])
            .args(["--save", "", "--appendonly", "no"])
            .stdout(Stdio::null())
            .spawn()
            .expect("redis-server (scripts/setup.sh installs it)");
        Self {
            port,
            child: Some(child),
        }
    }

    fn stop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

impl Drop for PrivateRedis {
    fn drop(&mut self) {
        self.stop();
    }
}

#[tokio::test]
async fn while_redis_is_down_reads_are_served_and_caching_resumes_when_it_returns() {
    let port = TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let mut redis = PrivateRedis::start(port);
    let url = format!("redis://127.0.0.1:{}", redis.port);
    let store: Arc<dyn CacheStore> = Arc::new(TieredStore::new(
        RedisStore::new(&url, &prefix()).unwrap(),
        1_000,
        Duration::from_secs(300),
    ));
    eventually("the private Redis to answer", async || {
        store.ping().await.is_ok()
    })
    .await;
    let cache = Cache::<String>::new(SPEC, store.clone());
    let calls = AtomicUsize::new(0);
    assert_eq!(
        cache
            .get_or_load("kept", || load(&calls, "k"))
            .await
            .unwrap(),
        "k-1"
    );

    redis.stop();
    assert!(store.ping().await.is_err(), "the cache reports itself down");
    // Every read is still answered: from the database (the loader) or the local L1.
    let started = Instant::now();
    for i in 0..20 {
        let key = format!("new{i}");
        let v = cache
            .get_or_load(&key, || load(&calls, &key))
            .await
            .unwrap();
        assert!(v.starts_with(&key), "{v}");
    }
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "failing fast, not hanging: {:?}",
        started.elapsed()
    );
    // Without the eviction channel the local copies cannot be trusted: they were dropped,
    // and the value comes from the database again.
    eventually("the local copies to be dropped", async || {
        let kept = cache
            .get_or_load("kept", || load(&calls, "k"))
            .await
            .unwrap();
        assert!(kept.starts_with("k-"), "{kept}");
        kept != "k-1"
    })
    .await;

    let _redis = PrivateRedis::start(port);
    eventually("the cache to reconnect", async || {
        store.ping().await.is_ok()
    })
    .await;
    let before = calls.load(Ordering::SeqCst);
    let v = cache
        .get_or_load("again", || load(&calls, "again"))
        .await
        .unwrap();
    assert_eq!(
        cache
            .get_or_load("again", || load(&calls, "again"))
            .await
            .unwrap(),
        v
    );
    assert_eq!(
        calls.load(Ordering::SeqCst),
        before + 1,
        "cached again after the outage"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_misses_across_replicas_load_once() {
    let Some(url) = redis_url() else { return };
    let p = prefix();
    let replicas: Vec<Cache<String>> = (0..3)
        .map(|_| {
            let store: Arc<dyn CacheStore> = Arc::new(TieredStore::new(
                RedisStore::new(&url, &p).unwrap(),
                1_000,
                Duration::from_secs(300),
            ));
            Cache::new(SPEC, store)
        })
        .collect();
    let calls = Arc::new(AtomicUsize::new(0));
    let reads: Vec<_> = (0..30)
        .map(|i| {
            let (cache, calls) = (replicas[i % 3].clone(), calls.clone());
            tokio::spawn(async move {
                cache
                    .get_or_load("hot", || async {
                        // A slow database read, so the misses overlap.
                        tokio::time::sleep(Duration::from_millis(200)).await;
                        load(&calls, "v").await
                    })
                    .await
                    .unwrap()
            })
        })
        .collect();
    for read in reads {
        assert_eq!(read.await.unwrap(), "v-1");
    }
    assert_eq!(
        calls.load(Ordering::SeqCst),
        1,
        "one load for all three replicas"
    );
}

/// The cache-aside race across replicas: replica a misses and reads the database (the old
/// value); meanwhile replica b commits a write and evicts; a's load then finishes. The old
/// value must not land in Redis, where b (and everyone) would read it until the TTL.
#[tokio::test]
async fn a_load_that_raced_a_write_on_another_replica_is_not_cached() {
    let Some(url) = redis_url() else { return };
    let (a, b) = two_replicas(&url);
    tokio::time::sleep(Duration::from_millis(300)).await;

    let (read_done, read_done_rx) = tokio::sync::oneshot::channel::<()>();
    let (go_on, go_on_rx) = tokio::sync::oneshot::channel::<()>();
    let slow_reader = tokio::spawn({
        let a = a.clone();
        async move {
            a.get_or_load("m1", || async move {
                // The database answered with the old title...
                let _ = read_done.send(());
                // ...and the answer travels back slowly.
                let _ = go_on_rx.await;
                Ok::<_, String>("old".to_string())
            })
            .await
        }
    });
    read_done_rx.await.unwrap();
    // Replica b's write commits, then it evicts.
    b.evict("m1").await;
    go_on.send(()).unwrap();
    assert_eq!(
        slow_reader.await.unwrap().unwrap(),
        "old",
        "a's caller gets its read"
    );

    let calls = AtomicUsize::new(0);
    assert_eq!(
        b.get_or_load("m1", || load(&calls, "new")).await.unwrap(),
        "new-1",
        "b served the value its own write replaced"
    );
    assert_eq!(
        a.get_or_load("m1", || load(&calls, "new")).await.unwrap(),
        "new-1",
        "a shares b's load"
    );
}
