use std::time::Duration;

use quorum_bus::broker::headers::{DEATH_REASON, DELIVERY_COUNT, ORIGINAL_QUEUE};
use quorum_bus::{Broker, BusError, EmbeddedOptions, Message, QueueSpec, Topology};

use crate::helpers::{
    broker_with, drain, eventually, fast, msg, next, nothing_within, on_both_brokers, within,
    Backend, Fixture,
};

on_both_brokers!(
    message_nacked_max_deliveries_times_lands_in_the_dlq,
    nack_delays_redelivery,
    expired_message_is_dead_lettered_with_reason_expired,
    expired_messages_nobody_consumes_reach_the_dlq_and_shorter_ttl_wins,
    max_length_rejects_the_publish,
    higher_priority_is_delivered_first_then_fifo,
    prefetch_bounds_unsettled_deliveries,
    delivery_dropped_unsettled_is_delivered_again,
    dead_letter_moves_the_message_with_its_reason,
);

async fn message_nacked_max_deliveries_times_lands_in_the_dlq(backend: Backend) {
    let Some(f) = Fixture::new(backend).await else {
        return;
    };
    within(30, async {
        let jobs = f.n("jobs");
        f.declare(&Topology::new().queue(QueueSpec::new(&jobs).max_deliveries(3)))
            .await;
        let b = &*f.broker;
        b.send(&jobs, msg("j1")).await.unwrap();
        let mut c = b.consume(&jobs, 1).await.unwrap();
        for n in 1..=3 {
            let d = next(&mut c).await;
            assert_eq!(d.message().id, "j1");
            assert_eq!(d.delivery_count(), n);
            d.nack(Duration::from_millis(10)).await.unwrap();
        }
        nothing_within(&mut c, 300).await;
        assert_eq!(b.queue_depth(&jobs).await.unwrap(), 0);

        let mut dlq = b.consume(&f.n("jobs.dlq"), 1).await.unwrap();
        let d = next(&mut dlq).await;
        assert_eq!(d.message().id, "j1");
        assert_eq!(d.message().body, b"j1");
        assert_eq!(d.message().headers[DELIVERY_COUNT], "3");
        assert_eq!(d.message().headers[DEATH_REASON], "delivery-limit");
        assert_eq!(d.message().headers[ORIGINAL_QUEUE], jobs);
        assert_eq!(d.delivery_count(), 1, "a DLQ counts its own deliveries");
        d.ack().await.unwrap();
    })
    .await;
}

async fn nack_delays_redelivery(backend: Backend) {
    let Some(f) = Fixture::new(backend).await else {
        return;
    };
    within(30, async {
        let jobs = f.n("jobs");
        f.declare(&Topology::new().queue(QueueSpec::new(&jobs)))
            .await;
        let b = &*f.broker;
        let mut m = msg("j1");
        m.headers.insert("trace".into(), "abc".into());
        b.send(&jobs, m).await.unwrap();
        let mut c = b.consume(&jobs, 1).await.unwrap();
        next(&mut c)
            .await
            .nack(Duration::from_millis(600))
            .await
            .unwrap();
        nothing_within(&mut c, 300).await;
        let d = next(&mut c).await;
        assert_eq!(d.delivery_count(), 2);
        assert_eq!(d.message().headers["trace"], "abc");
        assert!(
            !d.message().headers.contains_key(DEATH_REASON),
            "a retry is not a death: {:?}",
            d.message().headers
        );
        // No delay: redelivered at once, still counted.
        d.nack(Duration::ZERO).await.unwrap();
        let d = next(&mut c).await;
        assert_eq!(d.delivery_count(), 3);
        d.ack().await.unwrap();
        nothing_within(&mut c, 200).await;
    })
    .await;
}

async fn expired_message_is_dead_lettered_with_reason_expired(backend: Backend) {
    let Some(f) = Fixture::new(backend).await else {
        return;
    };
    within(30, async {
        let jobs = f.n("jobs");
        let t = Topology::new().queue(QueueSpec::new(&jobs).ttl(Duration::from_millis(100)));
        f.declare(&t).await;
        let b = &*f.broker;
        b.send(&jobs, msg("old")).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        b.send(&jobs, msg("fresh")).await.unwrap();
        let mut c = b.consume(&jobs, 5).await.unwrap();
        let d = next(&mut c).await;
        assert_eq!(d.message().id, "fresh");
        d.ack().await.unwrap();
        nothing_within(&mut c, 200).await;

        let mut dlq = b.consume(&f.n("jobs.dlq"), 1).await.unwrap();
        let d = next(&mut dlq).await;
        assert_eq!(d.message().id, "old");
        assert_eq!(d.message().headers[DEATH_REASON], "expired");
        assert_eq!(d.message().headers[ORIGINAL_QUEUE], jobs);
        assert_eq!(d.message().headers[DELIVERY_COUNT], "0");
    })
    .await;
}

/// The embedded broker notices expiry when it claims, even without its periodic sweep.
#[tokio::test]
async fn embedded_dead_letters_expired_messages_at_claim_without_a_sweep() {
    within(30, async {
        let options = EmbeddedOptions {
            sweep_interval: Duration::from_secs(3600),
            ..fast()
        };
        let t = Topology::new().queue(QueueSpec::new("jobs").ttl(Duration::from_millis(100)));
        let (_dir, b) = broker_with(options, &t).await;
        b.send("jobs", msg("old")).await.unwrap();
        tokio::time::sleep(Duration::from_millis(200)).await;
        b.send("jobs", msg("fresh")).await.unwrap();
        let mut c = b.consume("jobs", 5).await.unwrap();
        assert_eq!(next(&mut c).await.message().id, "fresh");
        assert_eq!(drain(&b, "jobs.dlq").await, ["old"]);
    })
    .await;
}

async fn expired_messages_nobody_consumes_reach_the_dlq_and_shorter_ttl_wins(backend: Backend) {
    let Some(f) = Fixture::new(backend).await else {
        return;
    };
    within(30, async {
        let jobs = f.n("jobs");
        let t = Topology::new().queue(QueueSpec::new(&jobs).ttl(Duration::from_secs(3600)));
        f.declare(&t).await;
        let b = &*f.broker;
        let mut short = msg("short");
        short.ttl = Some(Duration::from_millis(50));
        b.send(&jobs, short).await.unwrap();
        b.send(&jobs, msg("long")).await.unwrap();
        let dlq = f.n("jobs.dlq");
        eventually(|| async { b.queue_depth(&dlq).await.unwrap() == 1 }).await;
        assert_eq!(b.queue_depth(&jobs).await.unwrap(), 1);
        assert_eq!(drain(b, &dlq).await, ["short"]);
        assert_eq!(drain(b, &jobs).await, ["long"]);
    })
    .await;
}

/// A publish that would overflow a queue is rejected with `QueueFull` naming it. The
/// embedded broker then enqueues the message nowhere; RabbitMQ (reject-publish) still
/// delivers it to the other queues it was routed to.
async fn max_length_rejects_the_publish(backend: Backend) {
    let Some(f) = Fixture::new(backend).await else {
        return;
    };
    within(30, async {
        let (ex, small, big) = (f.n("ex"), f.n("small"), f.n("big"));
        let t = Topology::new()
            .exchange(&ex)
            .queue(QueueSpec::new(&small).max_length(2))
            .queue(QueueSpec::new(&big))
            .bind(&small, &ex, "#")
            .bind(&big, &ex, "#");
        f.declare(&t).await;
        let b = &*f.broker;
        if f.backend == Backend::RabbitQuorum {
            // Quorum queues enforce the limit once they are over it (RabbitMQ 3.x), so a
            // publish or two beyond it may still be accepted; then publishes are rejected.
            let mut n = 0;
            let err = loop {
                n += 1;
                match b.publish(&ex, "k", msg(&n.to_string())).await {
                    Ok(()) => assert!(n <= 4, "quorum queue never rejected"),
                    Err(e) => break e,
                }
            };
            assert!(
                matches!(&err, BusError::QueueFull { queue, .. } if *queue == small),
                "{err}"
            );
            return;
        }
        b.publish(&ex, "k", msg("1")).await.unwrap();
        b.publish(&ex, "k", msg("2")).await.unwrap();
        let err = b.publish(&ex, "k", msg("3")).await.unwrap_err();
        match err {
            BusError::QueueFull { queue, max_length } => {
                assert_eq!((queue.as_str(), max_length), (small.as_str(), 2));
            }
            other => panic!("expected QueueFull, got {other}"),
        }
        let err = b.send(&small, msg("4")).await.unwrap_err();
        assert!(matches!(err, BusError::QueueFull { .. }), "{err}");
        assert_eq!(b.queue_depth(&small).await.unwrap(), 2);
        let in_big: &[&str] = if f.is_rabbit() {
            &["1", "2", "3"]
        } else {
            &["1", "2"]
        };
        assert_eq!(b.queue_depth(&big).await.unwrap(), in_big.len() as u64);
        // Room again once one is consumed.
        assert_eq!(drain(b, &small).await, ["1", "2"]);
        b.publish(&ex, "k", msg("5")).await.unwrap();
        let mut expected: Vec<&str> = in_big.to_vec();
        expected.push("5");
        assert_eq!(drain(b, &big).await, expected);
    })
    .await;
}

async fn higher_priority_is_delivered_first_then_fifo(backend: Backend) {
    let Some(f) = Fixture::new(backend).await else {
        return;
    };
    within(30, async {
        let jobs = f.n("jobs");
        f.declare(&Topology::new().queue(QueueSpec::new(&jobs).max_priority(9)))
            .await;
        let b = &*f.broker;
        for (id, p) in [
            ("low1", 1),
            ("mid", 5),
            ("high", 9),
            ("low2", 1),
            ("clamped", 200),
        ] {
            b.send(
                &jobs,
                Message {
                    priority: p,
                    ..msg(id)
                },
            )
            .await
            .unwrap();
        }
        assert_eq!(
            drain(b, &jobs).await,
            ["high", "clamped", "mid", "low1", "low2"]
        );
    })
    .await;
}

async fn prefetch_bounds_unsettled_deliveries(backend: Backend) {
    let Some(f) = Fixture::new(backend).await else {
        return;
    };
    within(30, async {
        let jobs = f.n("jobs");
        f.declare(&Topology::new().queue(QueueSpec::new(&jobs)))
            .await;
        let b = &*f.broker;
        for i in 0..5 {
            b.send(&jobs, msg(&format!("m{i}"))).await.unwrap();
        }
        let mut c = b.consume(&jobs, 2).await.unwrap();
        let first = next(&mut c).await;
        let second = next(&mut c).await;
        nothing_within(&mut c, 300).await;
        first.ack().await.unwrap();
        let third = next(&mut c).await;
        assert_eq!(third.message().id, "m2");
        second.ack().await.unwrap();
        third.ack().await.unwrap();
        // RabbitMQ already pushed the next two to the consumer; dropping it returns them.
        drop(c);
        eventually(|| async { b.queue_depth(&jobs).await.unwrap() == 2 }).await;
    })
    .await;
}

async fn delivery_dropped_unsettled_is_delivered_again(backend: Backend) {
    let Some(f) = Fixture::new(backend).await else {
        return;
    };
    within(30, async {
        let jobs = f.n("jobs");
        f.declare(&Topology::new().queue(QueueSpec::new(&jobs)))
            .await;
        let b = &*f.broker;
        b.send(&jobs, msg("j1")).await.unwrap();
        let mut c = b.consume(&jobs, 1).await.unwrap();
        drop(next(&mut c).await);
        let d = next(&mut c).await;
        assert_eq!((d.message().id.as_str(), d.delivery_count()), ("j1", 2));
        d.ack().await.unwrap();
    })
    .await;
}

async fn dead_letter_moves_the_message_with_its_reason(backend: Backend) {
    let Some(f) = Fixture::new(backend).await else {
        return;
    };
    within(30, async {
        let jobs = f.n("jobs");
        f.declare(&Topology::new().queue(QueueSpec::new(&jobs)))
            .await;
        let b = &*f.broker;
        let mut m = msg("poison");
        m.headers.insert("tenant".into(), "t-1".into());
        b.send(&jobs, m).await.unwrap();
        let mut c = b.consume(&jobs, 1).await.unwrap();
        next(&mut c)
            .await
            .dead_letter("schema mismatch")
            .await
            .unwrap();
        nothing_within(&mut c, 200).await;
        let mut dlq = b.consume(&f.n("jobs.dlq"), 1).await.unwrap();
        let d = next(&mut dlq).await;
        let h = &d.message().headers;
        assert_eq!(d.message().id, "poison");
        assert_eq!(h[DEATH_REASON], "schema mismatch");
        assert_eq!(h[ORIGINAL_QUEUE], jobs);
        assert_eq!(h[DELIVERY_COUNT], "1");
        assert_eq!(h["tenant"], "t-1");
        d.ack().await.unwrap();
        assert_eq!(b.queue_depth(&jobs).await.unwrap(), 0);
    })
    .await;
}
