//! The Redis GCRA limiter against a real Redis: one limit across replicas, nothing consumed
//! by a refusal, and per-replica limiting while Redis is cut away. Runs when
//! `QUORUM_TEST_REDIS_URL` is set (the test script sets it).

use std::sync::Arc;
use std::time::Duration;

use quorum_gateway::{Quota, RateLimiter, RedisRateLimiter};
use quorum_test_support::proxy::Proxy;

fn redis_url() -> Option<String> {
    match std::env::var("QUORUM_TEST_REDIS_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("QUORUM_TEST_REDIS_URL not set; Redis rate-limit tests skipped");
            None
        }
    }
}

fn prefix() -> String {
    format!("t{}:", uuid::Uuid::new_v4().simple())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn the_limit_holds_exactly_across_replicas() {
    let Some(url) = redis_url() else { return };
    let p = prefix();
    let replicas: Vec<Arc<RedisRateLimiter>> = (0..3)
        .map(|_| Arc::new(RedisRateLimiter::new(&url, &p).unwrap()))
        .collect();
    let quota = [Quota::new(10, Duration::from_secs(60))];
    let checks: Vec<_> = (0..60)
        .map(|i| {
            let limiter = replicas[i % 3].clone();
            tokio::spawn(async move { limiter.check("writes|alice", &quota).await.unwrap() })
        })
        .collect();
    let mut allowed = 0;
    for check in checks {
        let d = check.await.unwrap();
        if d.allowed {
            allowed += 1;
            assert!(d.remaining < 10, "{d:?}");
        } else {
            let retry = d.retry_after.unwrap();
            assert!(
                retry > Duration::ZERO && retry <= Duration::from_secs(6),
                "{d:?}"
            );
            assert_eq!((d.limit, d.remaining), (10, 0));
        }
    }
    assert_eq!(
        allowed, 10,
        "a burst of exactly the limit, whichever replica answers"
    );
    // Another caller has a budget of its own.
    assert!(
        replicas[0]
            .check("writes|bob", &quota)
            .await
            .unwrap()
            .allowed
    );
}

#[tokio::test]
async fn every_quota_must_allow_and_a_refusal_consumes_nothing() {
    let Some(url) = redis_url() else { return };
    let limiter = RedisRateLimiter::new(&url, &prefix()).unwrap();
    let quotas = [
        Quota::new(3, Duration::from_secs(60)),
        Quota::new(5, Duration::from_secs(3_600)),
    ];
    let mut remaining = Vec::new();
    for _ in 0..3 {
        let d = limiter.check("k", &quotas).await.unwrap();
        assert!(d.allowed);
        remaining.push((d.limit, d.remaining));
    }
    // The per-minute quota is the tighter one throughout.
    assert_eq!(remaining, [(3, 2), (3, 1), (3, 0)]);
    for _ in 0..5 {
        assert!(!limiter.check("k", &quotas).await.unwrap().allowed);
    }
    // Refusals took nothing from the hourly quota: 2 of its 5 are left.
    let hourly_only = [Quota::new(0, Duration::from_secs(60)), quotas[1]];
    let d = limiter.check("k", &hourly_only).await.unwrap();
    assert!(d.allowed && d.remaining == 1, "{d:?}");
}

#[tokio::test]
async fn while_redis_is_away_each_replica_still_limits() {
    let Some(url) = redis_url() else { return };
    let proxy = Proxy::start(&url).await;
    let limiter = RedisRateLimiter::new(&proxy.url, &prefix()).unwrap();
    let quota = [Quota::new(5, Duration::from_secs(60))];
    for _ in 0..2 {
        assert!(limiter.check("k", &quota).await.unwrap().allowed);
    }
    proxy.cut();
    let started = std::time::Instant::now();
    let allowed = {
        let mut n = 0;
        for _ in 0..20 {
            if limiter.check("k", &quota).await.unwrap().allowed {
                n += 1;
            }
        }
        n
    };
    assert_eq!(
        allowed, 5,
        "the in-process limit takes over (its own budget)"
    );
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "{:?}",
        started.elapsed()
    );
    proxy.restore();
    tokio::time::sleep(Duration::from_millis(1_100)).await;
    // Back on Redis, where 2 of the 5 were used before the cut.
    let mut n = 0;
    for _ in 0..10 {
        if limiter.check("k", &quota).await.unwrap().allowed {
            n += 1;
        }
    }
    assert_eq!(n, 3);
}
