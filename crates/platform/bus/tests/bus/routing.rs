use quorum_bus::{Broker, BusError, QueueSpec, Topology};

use crate::helpers::{broker, drain, msg, within};

fn topology() -> Topology {
    let t = Topology::new()
        .exchange("meeting.events")
        .exchange("user.events");
    ["all", "ended", "star", "deep", "any_ended", "users"]
        .into_iter()
        .fold(t, |t, q| t.queue(QueueSpec::new(q)))
        .bind("all", "meeting.events", "#")
        .bind("ended", "meeting.events", "meeting.ended")
        .bind("star", "meeting.events", "meeting.*")
        .bind("deep", "meeting.events", "meeting.#.done")
        .bind("any_ended", "meeting.events", "*.ended")
        // Bound twice: still gets one copy.
        .bind("any_ended", "meeting.events", "#.ended")
        .bind("users", "user.events", "user.created")
}

#[tokio::test]
async fn topic_wildcards_route_to_exactly_the_matching_queues() {
    within(30, async {
        let (_dir, b) = broker(&topology()).await;
        for key in [
            "meeting.ended",
            "meeting.started",
            "meeting.minutes.done",
            "user.ended",
        ] {
            b.publish("meeting.events", key, msg(key)).await.unwrap();
        }
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        assert_eq!(
            drain(&b, "all").await,
            [
                "meeting.ended",
                "meeting.started",
                "meeting.minutes.done",
                "user.ended"
            ]
        );
        assert_eq!(drain(&b, "ended").await, ["meeting.ended"]);
        assert_eq!(
            drain(&b, "star").await,
            ["meeting.ended", "meeting.started"]
        );
        assert_eq!(drain(&b, "deep").await, ["meeting.minutes.done"]);
        assert_eq!(
            sorted(drain(&b, "any_ended").await),
            ["meeting.ended", "user.ended"]
        );
        assert!(drain(&b, "users").await.is_empty());
    })
    .await;
}

#[tokio::test]
async fn publish_without_a_matching_queue_is_unroutable() {
    within(30, async {
        let (_dir, b) = broker(&topology()).await;
        let err = b
            .publish("user.events", "user.deleted", msg("x"))
            .await
            .unwrap_err();
        assert!(matches!(err, BusError::Unroutable { .. }), "{err}");
        let err = b.publish("nope.events", "a.b", msg("x")).await.unwrap_err();
        assert!(matches!(err, BusError::UnknownExchange(_)), "{err}");
        let err = b.send("nope", msg("x")).await.unwrap_err();
        assert!(matches!(err, BusError::UnknownQueue(_)), "{err}");
        b.publish("user.events", "user.created", msg("u1"))
            .await
            .unwrap();
        assert_eq!(b.queue_depth("users").await.unwrap(), 1);
        assert_eq!(b.kind(), "embedded");
        b.ping().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn declare_is_idempotent_and_queues_survive_reopen() {
    within(30, async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broker.db");
        let b = crate::helpers::open(&path, crate::helpers::fast(), &topology()).await;
        b.declare(&topology()).await.unwrap();
        b.publish("meeting.events", "meeting.ended", msg("m1"))
            .await
            .unwrap();
        assert_eq!(b.queue_depth("ended").await.unwrap(), 1);
        b.close().await;
        drop(b);
        // Queues are persisted: `send` works before anything is declared again.
        let b = quorum_bus::EmbeddedBroker::open(&path).await.unwrap();
        b.send("ended", msg("m2")).await.unwrap();
        assert_eq!(drain(&b, "ended").await, ["m1", "m2"]);
    })
    .await;
}
