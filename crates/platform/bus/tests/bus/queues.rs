use std::time::Duration;

use quorum_bus::broker::headers::{DEATH_REASON, DELIVERY_COUNT, ORIGINAL_QUEUE};
use quorum_bus::{Broker, BusError, EmbeddedOptions, Message, QueueSpec, Topology};

use crate::helpers::{broker, broker_with, drain, fast, msg, next, nothing_within, within};

#[tokio::test]
async fn message_nacked_max_deliveries_times_lands_in_the_dlq() {
    within(30, async {
        let t = Topology::new().queue(QueueSpec::new("jobs").max_deliveries(3));
        let (_dir, b) = broker(&t).await;
        b.send("jobs", msg("j1")).await.unwrap();
        let mut c = b.consume("jobs", 1).await.unwrap();
        for n in 1..=3 {
            let d = next(&mut c).await;
            assert_eq!(d.message().id, "j1");
            assert_eq!(d.delivery_count(), n);
            d.nack(Duration::from_millis(10)).await.unwrap();
        }
        nothing_within(&mut c, 300).await;
        assert_eq!(b.queue_depth("jobs").await.unwrap(), 0);

        let mut dlq = b.consume("jobs.dlq", 1).await.unwrap();
        let d = next(&mut dlq).await;
        assert_eq!(d.message().id, "j1");
        assert_eq!(d.message().body, b"j1");
        assert_eq!(d.message().headers[DELIVERY_COUNT], "3");
        assert_eq!(d.message().headers[DEATH_REASON], "delivery-limit");
        assert_eq!(d.message().headers[ORIGINAL_QUEUE], "jobs");
        d.ack().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn nack_delays_redelivery() {
    within(30, async {
        let t = Topology::new().queue(QueueSpec::new("jobs"));
        let (_dir, b) = broker(&t).await;
        b.send("jobs", msg("j1")).await.unwrap();
        let mut c = b.consume("jobs", 1).await.unwrap();
        next(&mut c)
            .await
            .nack(Duration::from_millis(600))
            .await
            .unwrap();
        nothing_within(&mut c, 300).await;
        let d = next(&mut c).await;
        assert_eq!(d.delivery_count(), 2);
        d.ack().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn expired_message_is_dead_lettered_at_claim_instead_of_delivered() {
    within(30, async {
        // No periodic sweep: the claim itself must notice the expiry.
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
        let d = next(&mut c).await;
        assert_eq!(d.message().id, "fresh");
        d.ack().await.unwrap();
        nothing_within(&mut c, 200).await;

        let mut dlq = b.consume("jobs.dlq", 1).await.unwrap();
        let d = next(&mut dlq).await;
        assert_eq!(d.message().id, "old");
        assert_eq!(d.message().headers[DEATH_REASON], "expired");
        assert_eq!(d.message().headers[DELIVERY_COUNT], "0");
    })
    .await;
}

#[tokio::test]
async fn sweep_dead_letters_expired_messages_nobody_consumes_and_shorter_ttl_wins() {
    within(30, async {
        let t = Topology::new().queue(QueueSpec::new("jobs").ttl(Duration::from_secs(3600)));
        let (_dir, b) = broker(&t).await;
        let mut short = msg("short");
        short.ttl = Some(Duration::from_millis(50));
        b.send("jobs", short).await.unwrap();
        b.send("jobs", msg("long")).await.unwrap();
        crate::helpers::eventually(|| async { b.queue_depth("jobs.dlq").await.unwrap() == 1 })
            .await;
        assert_eq!(b.queue_depth("jobs").await.unwrap(), 1);
        assert_eq!(drain(&b, "jobs.dlq").await, ["short"]);
        assert_eq!(drain(&b, "jobs").await, ["long"]);
    })
    .await;
}

#[tokio::test]
async fn max_length_rejects_the_publish_and_enqueues_nothing_anywhere() {
    within(30, async {
        let t = Topology::new()
            .exchange("ex")
            .queue(QueueSpec::new("small").max_length(2))
            .queue(QueueSpec::new("big"))
            .bind("small", "ex", "#")
            .bind("big", "ex", "#");
        let (_dir, b) = broker(&t).await;
        b.publish("ex", "k", msg("1")).await.unwrap();
        b.publish("ex", "k", msg("2")).await.unwrap();
        let err = b.publish("ex", "k", msg("3")).await.unwrap_err();
        match err {
            BusError::QueueFull { queue, max_length } => {
                assert_eq!((queue.as_str(), max_length), ("small", 2));
            }
            other => panic!("expected QueueFull, got {other}"),
        }
        let err = b.send("small", msg("4")).await.unwrap_err();
        assert!(matches!(err, BusError::QueueFull { .. }), "{err}");
        assert_eq!(b.queue_depth("small").await.unwrap(), 2);
        assert_eq!(b.queue_depth("big").await.unwrap(), 2);
        // Room again once one is consumed.
        assert_eq!(drain(&b, "small").await, ["1", "2"]);
        b.publish("ex", "k", msg("5")).await.unwrap();
        assert_eq!(drain(&b, "big").await, ["1", "2", "5"]);
    })
    .await;
}

#[tokio::test]
async fn higher_priority_is_delivered_first_then_fifo() {
    within(30, async {
        let t = Topology::new().queue(QueueSpec::new("jobs").max_priority(9));
        let (_dir, b) = broker(&t).await;
        for (id, p) in [
            ("low1", 1),
            ("mid", 5),
            ("high", 9),
            ("low2", 1),
            ("clamped", 200),
        ] {
            b.send(
                "jobs",
                Message {
                    priority: p,
                    ..msg(id)
                },
            )
            .await
            .unwrap();
        }
        assert_eq!(
            drain(&b, "jobs").await,
            ["high", "clamped", "mid", "low1", "low2"]
        );
    })
    .await;
}

#[tokio::test]
async fn prefetch_bounds_unsettled_deliveries() {
    within(30, async {
        let t = Topology::new().queue(QueueSpec::new("jobs"));
        let (_dir, b) = broker(&t).await;
        for i in 0..5 {
            b.send("jobs", msg(&format!("m{i}"))).await.unwrap();
        }
        let mut c = b.consume("jobs", 2).await.unwrap();
        let first = next(&mut c).await;
        let second = next(&mut c).await;
        nothing_within(&mut c, 300).await;
        first.ack().await.unwrap();
        let third = next(&mut c).await;
        assert_eq!(third.message().id, "m2");
        second.ack().await.unwrap();
        third.ack().await.unwrap();
        assert_eq!(b.queue_depth("jobs").await.unwrap(), 2);
    })
    .await;
}

#[tokio::test]
async fn delivery_dropped_unsettled_is_delivered_again() {
    within(30, async {
        let t = Topology::new().queue(QueueSpec::new("jobs"));
        let (_dir, b) = broker(&t).await;
        b.send("jobs", msg("j1")).await.unwrap();
        let mut c = b.consume("jobs", 1).await.unwrap();
        drop(next(&mut c).await);
        let d = next(&mut c).await;
        assert_eq!((d.message().id.as_str(), d.delivery_count()), ("j1", 2));
        d.ack().await.unwrap();
    })
    .await;
}
