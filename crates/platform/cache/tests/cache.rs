//! Behaviour of `Cache<V>` over the in-process store.

#![allow(clippy::restriction)] // test code: a failed step should stop the test

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use quorum_cache::{Cache, CacheSpec, CacheStore, MemoryStore, ToggleStore};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Profile {
    name: String,
    version: usize,
}

const SPEC: CacheSpec = CacheSpec {
    name: "userProfile",
    ttl: Duration::from_secs(60),
};

fn memory() -> Arc<dyn CacheStore> {
    Arc::new(MemoryStore::new(1_000))
}

/// A loader that counts its calls and returns `Profile { version: call number }`.
async fn load(calls: &AtomicUsize, delay: Duration) -> Result<Profile, String> {
    let n = calls.fetch_add(1, Ordering::SeqCst) + 1;
    tokio::time::sleep(delay).await;
    Ok(Profile {
        name: "ada".into(),
        version: n,
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_misses_on_one_key_load_it_once() {
    let cache = Cache::<Profile>::new(SPEC, memory());
    let calls = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..100)
        .map(|_| {
            let (cache, calls) = (cache.clone(), calls.clone());
            tokio::spawn(async move {
                cache
                    .get_or_load("u1", || load(&calls, Duration::from_millis(50)))
                    .await
            })
        })
        .collect();
    for task in tasks {
        assert_eq!(task.await.unwrap().unwrap().version, 1);
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let stats = cache.stats();
    assert_eq!((stats.misses, stats.hits, stats.errors), (1, 99, 0));
}

#[tokio::test]
async fn hit_returns_stored_value_under_namespaced_key() {
    let store = memory();
    let cache = Cache::<Profile>::new(SPEC, store.clone());
    let calls = AtomicUsize::new(0);
    cache
        .get_or_load("u1", || load(&calls, Duration::ZERO))
        .await
        .unwrap();
    let again = cache
        .get_or_load("u1", || load(&calls, Duration::ZERO))
        .await
        .unwrap();
    assert_eq!(again.version, 1);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
    let raw = store
        .get("userProfile:u1")
        .await
        .unwrap()
        .expect("namespaced key");
    let stored: Profile = serde_json::from_slice(&raw).unwrap();
    assert_eq!(stored, again);
}

#[tokio::test]
async fn entries_expire_after_the_spec_ttl() {
    let spec = CacheSpec {
        name: "short",
        ttl: Duration::from_millis(150),
    };
    let cache = Cache::<Profile>::new(spec, memory());
    let calls = AtomicUsize::new(0);
    cache
        .get_or_load("k", || load(&calls, Duration::ZERO))
        .await
        .unwrap();
    let fresh = cache
        .get_or_load("k", || load(&calls, Duration::ZERO))
        .await
        .unwrap();
    assert_eq!(fresh.version, 1, "still cached before the TTL");
    std::thread::sleep(Duration::from_millis(300));
    let reloaded = cache
        .get_or_load("k", || load(&calls, Duration::ZERO))
        .await
        .unwrap();
    assert_eq!(reloaded.version, 2, "reloaded after the TTL");
}

#[tokio::test]
async fn evict_forces_a_reload() {
    let cache = Cache::<Profile>::new(SPEC, memory());
    let calls = AtomicUsize::new(0);
    cache
        .get_or_load("u1", || load(&calls, Duration::ZERO))
        .await
        .unwrap();
    cache.evict("u1").await;
    let v = cache
        .get_or_load("u1", || load(&calls, Duration::ZERO))
        .await
        .unwrap();
    assert_eq!(v.version, 2);
}

#[tokio::test]
async fn evict_during_a_load_keeps_the_stale_value_out_of_the_store() {
    let cache = Cache::<Profile>::new(SPEC, memory());
    let calls = Arc::new(AtomicUsize::new(0));
    let loading = {
        let (cache, calls) = (cache.clone(), calls.clone());
        tokio::spawn(async move {
            cache
                .get_or_load("u1", || load(&calls, Duration::from_millis(100)))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(30)).await;
    cache.evict("u1").await;
    assert_eq!(loading.await.unwrap().unwrap().version, 1);
    let v = cache
        .get_or_load("u1", || load(&calls, Duration::ZERO))
        .await
        .unwrap();
    assert_eq!(
        v.version, 2,
        "the value loaded before the eviction was not cached"
    );
}

#[tokio::test]
async fn reads_fall_through_to_the_loader_when_the_store_is_down() {
    let toggle = Arc::new(ToggleStore::new(memory()));
    let cache = Cache::<Profile>::new(SPEC, toggle.clone());
    let calls = AtomicUsize::new(0);
    cache
        .get_or_load("u1", || load(&calls, Duration::ZERO))
        .await
        .unwrap();

    toggle.set_available(false);
    let v = cache
        .get_or_load("u1", || load(&calls, Duration::ZERO))
        .await
        .unwrap();
    assert_eq!(v.version, 2, "served by the loader while the store is down");
    cache.evict("u1").await; // does not panic or hang
    assert!(cache.stats().errors >= 2);

    toggle.set_available(true);
    let v = cache
        .get_or_load("u1", || load(&calls, Duration::ZERO))
        .await
        .unwrap();
    assert_eq!(
        v.version, 1,
        "the store kept its entry; the failed delete left it"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_misses_are_coalesced_even_when_the_store_is_down() {
    let toggle = Arc::new(ToggleStore::new(memory()));
    toggle.set_available(false);
    let cache = Cache::<Profile>::new(SPEC, toggle);
    let calls = Arc::new(AtomicUsize::new(0));
    let tasks: Vec<_> = (0..20)
        .map(|_| {
            let (cache, calls) = (cache.clone(), calls.clone());
            tokio::spawn(async move {
                cache
                    .get_or_load("u1", || load(&calls, Duration::from_millis(50)))
                    .await
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn loader_errors_are_returned_and_not_cached() {
    let cache = Cache::<Profile>::new(SPEC, memory());
    let err: Result<Profile, String> = cache
        .get_or_load("u1", || async { Err("db down".to_string()) })
        .await;
    assert_eq!(err.unwrap_err(), "db down");
    let calls = AtomicUsize::new(0);
    let v = cache
        .get_or_load("u1", || load(&calls, Duration::ZERO))
        .await
        .unwrap();
    assert_eq!(v.version, 1, "the error was not cached");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn waiters_on_a_failed_load_run_their_own_loader() {
    let cache = Cache::<Profile>::new(SPEC, memory());
    let leader = {
        let cache = cache.clone();
        tokio::spawn(async move {
            cache
                .get_or_load("u1", || async {
                    tokio::time::sleep(Duration::from_millis(100)).await;
                    Err::<Profile, _>("boom".to_string())
                })
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    let calls = AtomicUsize::new(0);
    let follower = cache
        .get_or_load("u1", || load(&calls, Duration::ZERO))
        .await;
    assert_eq!(leader.await.unwrap().unwrap_err(), "boom");
    assert_eq!(follower.unwrap().version, 1);
    assert_eq!(calls.load(Ordering::SeqCst), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_cancelled_leader_hands_the_load_to_a_waiter() {
    let cache = Cache::<Profile>::new(SPEC, memory());
    let leader = {
        let cache = cache.clone();
        tokio::spawn(async move {
            let never = || std::future::pending::<Result<Profile, String>>();
            cache.get_or_load("u1", never).await
        })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    let follower = {
        let cache = cache.clone();
        tokio::spawn(async move {
            let calls = AtomicUsize::new(0);
            cache
                .get_or_load("u1", || load(&calls, Duration::ZERO))
                .await
        })
    };
    tokio::time::sleep(Duration::from_millis(20)).await;
    leader.abort();
    let v = tokio::time::timeout(Duration::from_secs(2), follower)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(v.unwrap().version, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn set_if_absent_lets_exactly_one_claimant_win() {
    let store = memory();
    let claims: Vec<_> = (0..50)
        .map(|i| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .set_if_absent("k", vec![i], Duration::from_secs(60))
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut won = 0;
    for claim in claims {
        won += usize::from(claim.await.unwrap());
    }
    assert_eq!(won, 1);
    assert!(!store
        .set_if_absent("k", vec![0], Duration::from_secs(60))
        .await
        .unwrap());
}
