//! RabbitMQ-only behaviour: declaration clashes, a killed worker's unacked messages,
//! quorum-queue delivery counts, and a connection outage (through a TCP proxy the test can
//! cut). Skipped unless `QUORUM_TEST_AMQP_URL` is set.

use std::time::{Duration, Instant};

use quorum_bus::broker::headers::{DEATH_REASON, DELIVERY_COUNT, ORIGINAL_QUEUE};
use quorum_bus::{Broker, BusError, QueueSpec, RabbitBroker, RabbitOptions, Topology};

use crate::helpers::{amqp_url, eventually, msg, next, nothing_within, within, Backend, Fixture};

/// A second connection, as another process (a worker that will be killed) would have.
async fn other_process(quorum: bool) -> RabbitBroker {
    let options = RabbitOptions {
        quorum_queues: quorum,
        ..RabbitOptions::default()
    };
    RabbitBroker::connect(&amqp_url().unwrap(), options)
        .await
        .unwrap()
}

#[tokio::test]
async fn declaring_a_queue_again_with_other_limits_names_the_queue_and_argument() {
    let Some(f) = Fixture::new(Backend::Rabbit).await else {
        return;
    };
    within(30, async {
        let jobs = f.n("jobs");
        f.declare(&Topology::new().queue(QueueSpec::new(&jobs).max_length(5)))
            .await;
        let err = f
            .broker
            .declare(&Topology::new().queue(QueueSpec::new(&jobs).max_length(10)))
            .await
            .unwrap_err();
        match &err {
            BusError::Incompatible {
                entity, argument, ..
            } => {
                assert_eq!(entity, &format!("queue `{jobs}`"));
                assert_eq!(argument, "x-max-length");
            }
            other => panic!("expected Incompatible, got {other}"),
        }
        assert!(err.to_string().contains("x-max-length"), "{err}");
        // Classic and quorum are different arguments too.
        let quorum = other_process(true).await;
        let err = quorum
            .declare(&Topology::new().queue(QueueSpec::new(&jobs).max_length(5)))
            .await
            .unwrap_err();
        assert!(
            matches!(&err, BusError::Incompatible { argument, .. } if argument == "x-queue-type"),
            "{err}"
        );
        quorum.close().await;
        // The original declaration is still fine, and the broker still works.
        f.broker
            .declare(&Topology::new().queue(QueueSpec::new(&jobs).max_length(5)))
            .await
            .unwrap();
        f.broker.send(&jobs, msg("ok")).await.unwrap();
    })
    .await;
}

async fn killed_worker(backend: Backend) {
    let Some(f) = Fixture::new(backend).await else {
        return;
    };
    let quorum = backend == Backend::RabbitQuorum;
    within(30, async {
        let jobs = f.n("jobs");
        f.declare(&Topology::new().queue(QueueSpec::new(&jobs).max_deliveries(5)))
            .await;
        for id in ["a", "b", "c"] {
            f.broker.send(&jobs, msg(id)).await.unwrap();
        }
        // The worker takes two messages and dies without settling them.
        let worker = other_process(quorum).await;
        let mut c = worker.consume(&jobs, 2).await.unwrap();
        for expected in ["a", "b"] {
            let d = next(&mut c).await;
            assert_eq!((d.message().id.as_str(), d.delivery_count()), (expected, 1));
            std::mem::forget(d);
        }
        worker.close().await;

        let second = other_process(quorum).await;
        let mut c = second.consume(&jobs, 10).await.unwrap();
        let mut seen = Vec::new();
        for _ in 0..3 {
            let d = next(&mut c).await;
            seen.push((d.message().id.clone(), d.delivery_count()));
            if d.message().id == "a" && quorum {
                // Killed once more: quorum queues count every return exactly.
                std::mem::forget(d);
            } else {
                d.ack().await.unwrap();
            }
        }
        second.close().await;
        seen.sort();
        assert_eq!(
            seen,
            [("a".into(), 2), ("b".into(), 2), ("c".into(), 1)],
            "redelivered messages count their first delivery"
        );
        if quorum {
            let mut c = f.broker.consume(&jobs, 1).await.unwrap();
            let d = next(&mut c).await;
            assert_eq!((d.message().id.as_str(), d.delivery_count()), ("a", 3));
            d.ack().await.unwrap();
        }
    })
    .await;
}

#[tokio::test]
async fn unacked_messages_of_a_killed_worker_are_redelivered_classic() {
    killed_worker(Backend::Rabbit).await;
}

#[tokio::test]
async fn unacked_messages_of_a_killed_worker_are_redelivered_quorum() {
    killed_worker(Backend::RabbitQuorum).await;
}

/// A message a worker keeps dying on (never nacked) is dead-lettered once its deliveries
/// exceed `max_deliveries`; quorum queues count those returns.
#[tokio::test]
async fn quorum_crash_loop_is_dead_lettered_after_max_deliveries() {
    let Some(f) = Fixture::new(Backend::RabbitQuorum).await else {
        return;
    };
    within(30, async {
        let jobs = f.n("jobs");
        f.declare(&Topology::new().queue(QueueSpec::new(&jobs).max_deliveries(2)))
            .await;
        f.broker.send(&jobs, msg("poison")).await.unwrap();
        for n in 1..=2 {
            let worker = other_process(true).await;
            let mut c = worker.consume(&jobs, 1).await.unwrap();
            let d = next(&mut c).await;
            assert_eq!(d.delivery_count(), n);
            std::mem::forget(d);
            worker.close().await;
        }
        let mut c = f.broker.consume(&jobs, 1).await.unwrap();
        nothing_within(&mut c, 500).await;
        let mut dlq = f.broker.consume(&f.n("jobs.dlq"), 1).await.unwrap();
        let d = next(&mut dlq).await;
        assert_eq!(d.message().id, "poison");
        assert_eq!(d.message().headers[DEATH_REASON], "delivery-limit");
        assert_eq!(d.message().headers[ORIGINAL_QUEUE], jobs);
        assert_eq!(d.message().headers[DELIVERY_COUNT], "2");
        d.ack().await.unwrap();
    })
    .await;
}

/// The shared behaviours that differ in mechanism on quorum queues: nack/retry counting,
/// TTL expiry and dead-lettering.
#[tokio::test]
async fn quorum_queues_nack_expire_and_dead_letter_like_classic_ones() {
    let Some(f) = Fixture::new(Backend::RabbitQuorum).await else {
        return;
    };
    within(30, async {
        let (jobs, ttl) = (f.n("jobs"), f.n("short"));
        let t = Topology::new()
            .queue(QueueSpec::new(&jobs).max_deliveries(2))
            .queue(QueueSpec::new(&ttl).ttl(Duration::from_millis(100)));
        f.declare(&t).await;
        let b = &*f.broker;
        b.send(&jobs, msg("j")).await.unwrap();
        b.send(&ttl, msg("old")).await.unwrap();
        let mut c = b.consume(&jobs, 1).await.unwrap();
        for n in 1..=2 {
            let d = next(&mut c).await;
            assert_eq!(d.delivery_count(), n);
            d.nack(Duration::from_millis(50)).await.unwrap();
        }
        let mut dlq = b.consume(&f.n("jobs.dlq"), 1).await.unwrap();
        let d = next(&mut dlq).await;
        assert_eq!(d.message().headers[DEATH_REASON], "delivery-limit");
        assert_eq!(d.message().headers[DELIVERY_COUNT], "2");
        d.ack().await.unwrap();

        let mut dlq = b.consume(&f.n("short.dlq"), 1).await.unwrap();
        let d = next(&mut dlq).await;
        assert_eq!(d.message().id, "old");
        assert_eq!(d.message().headers[DEATH_REASON], "expired");
        assert_eq!(d.message().headers[ORIGINAL_QUEUE], ttl);
        d.ack().await.unwrap();
    })
    .await;
}

// The shared test proxy (test-support depends on this crate, so the file is included).
#[path = "../../../../test-support/src/proxy.rs"]
#[allow(dead_code, unreachable_pub)]
mod proxy;
use proxy::Proxy;

#[tokio::test]
async fn outage_fails_publishes_fast_and_consumers_resume_after_reconnect() {
    let Some(url) = amqp_url() else {
        return;
    };
    // Declared and cleaned up over a direct connection.
    let Some(f) = Fixture::new(Backend::Rabbit).await else {
        return;
    };
    within(60, async {
        let jobs = f.n("jobs");
        f.declare(&Topology::new().queue(QueueSpec::new(&jobs)))
            .await;
        let proxy = Proxy::start(&url).await;
        let options = RabbitOptions {
            reconnect_min: Duration::from_millis(50),
            reconnect_max: Duration::from_millis(200),
            ..RabbitOptions::default()
        };
        let b = RabbitBroker::connect(&proxy.url, options).await.unwrap();
        let mut c = b.consume(&jobs, 5).await.unwrap();
        b.send(&jobs, msg("m1")).await.unwrap();
        let unacked = next(&mut c).await;
        assert_eq!(unacked.message().id, "m1");

        proxy.cut();
        eventually(|| async { b.ping().await.is_err() }).await;
        let started = Instant::now();
        let err = b.send(&jobs, msg("lost")).await.unwrap_err();
        assert!(matches!(err, BusError::Unavailable(_)), "{err}");
        assert!(
            started.elapsed() < Duration::from_millis(100),
            "a publish during an outage must fail fast, took {:?}",
            started.elapsed()
        );
        assert!(unacked.ack().await.is_err(), "its channel is gone");
        // While down, the message is safe on the broker (the direct connection sees it).
        assert_eq!(f.broker.queue_depth(&jobs).await.unwrap(), 1);

        proxy.restore();
        eventually(|| async { b.ping().await.is_ok() }).await;
        b.send(&jobs, msg("m2")).await.unwrap();
        // The same consumer resubscribed: the unacked message comes back, then the new one.
        let d = next(&mut c).await;
        assert_eq!((d.message().id.as_str(), d.delivery_count()), ("m1", 2));
        d.ack().await.unwrap();
        let d = next(&mut c).await;
        assert_eq!(d.message().id, "m2");
        d.ack().await.unwrap();
        b.close().await;
    })
    .await;
}
