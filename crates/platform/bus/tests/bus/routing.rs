use quorum_bus::{Broker, BusError, QueueSpec, Topology};

use crate::helpers::{drain, msg, on_both_brokers, within, Backend, Fixture};

fn topology(f: &Fixture) -> Topology {
    let t = Topology::new()
        .exchange(&f.n("meeting.events"))
        .exchange(&f.n("user.events"));
    let me = f.n("meeting.events");
    ["all", "ended", "star", "deep", "any_ended", "users"]
        .into_iter()
        .fold(t, |t, q| t.queue(QueueSpec::new(&f.n(q))))
        .bind(&f.n("all"), &me, "#")
        .bind(&f.n("ended"), &me, "meeting.ended")
        .bind(&f.n("star"), &me, "meeting.*")
        .bind(&f.n("deep"), &me, "meeting.#.done")
        .bind(&f.n("any_ended"), &me, "*.ended")
        // Bound twice: still gets one copy.
        .bind(&f.n("any_ended"), &me, "#.ended")
        .bind(&f.n("users"), &f.n("user.events"), "user.created")
}

on_both_brokers!(
    topic_wildcards_route_to_exactly_the_matching_queues,
    publish_without_a_matching_queue_is_unroutable,
);

async fn topic_wildcards_route_to_exactly_the_matching_queues(backend: Backend) {
    let Some(f) = Fixture::new(backend).await else {
        return;
    };
    within(30, async {
        let t = topology(&f);
        f.declare(&t).await;
        // Declaring again changes nothing.
        f.declare(&t).await;
        let b = &*f.broker;
        for key in [
            "meeting.ended",
            "meeting.started",
            "meeting.minutes.done",
            "user.ended",
        ] {
            b.publish(&f.n("meeting.events"), key, msg(key))
                .await
                .unwrap();
        }
        let sorted = |mut v: Vec<String>| {
            v.sort();
            v
        };
        assert_eq!(
            drain(b, &f.n("all")).await,
            [
                "meeting.ended",
                "meeting.started",
                "meeting.minutes.done",
                "user.ended"
            ]
        );
        assert_eq!(drain(b, &f.n("ended")).await, ["meeting.ended"]);
        assert_eq!(
            drain(b, &f.n("star")).await,
            ["meeting.ended", "meeting.started"]
        );
        assert_eq!(drain(b, &f.n("deep")).await, ["meeting.minutes.done"]);
        assert_eq!(
            sorted(drain(b, &f.n("any_ended")).await),
            ["meeting.ended", "user.ended"]
        );
        assert!(drain(b, &f.n("users")).await.is_empty());
    })
    .await;
}

async fn publish_without_a_matching_queue_is_unroutable(backend: Backend) {
    let Some(f) = Fixture::new(backend).await else {
        return;
    };
    within(30, async {
        f.declare(&topology(&f)).await;
        let b = &*f.broker;
        let err = b
            .publish(&f.n("user.events"), "user.deleted", msg("x"))
            .await
            .unwrap_err();
        assert!(matches!(err, BusError::Unroutable { .. }), "{err}");
        let err = b
            .publish(&f.n("nope.events"), "a.b", msg("x"))
            .await
            .unwrap_err();
        assert!(matches!(err, BusError::UnknownExchange(_)), "{err}");
        let err = b.send(&f.n("nope"), msg("x")).await.unwrap_err();
        assert!(matches!(err, BusError::UnknownQueue(_)), "{err}");
        // The broker is still usable after those errors.
        b.publish(&f.n("user.events"), "user.created", msg("u1"))
            .await
            .unwrap();
        assert_eq!(b.queue_depth(&f.n("users")).await.unwrap(), 1);
        let err = b.queue_depth(&f.n("nope")).await.unwrap_err();
        assert!(matches!(err, BusError::UnknownQueue(_)), "{err}");
        let expected = if f.is_rabbit() {
            "rabbitmq"
        } else {
            "embedded"
        };
        assert_eq!(b.kind(), expected);
        b.ping().await.unwrap();
    })
    .await;
}

#[tokio::test]
async fn declare_is_idempotent_and_queues_survive_reopen() {
    let f = Fixture::new(Backend::Embedded).await.unwrap();
    let topology = || topology(&f);
    within(30, async {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("broker.db");
        let b = crate::helpers::open(&path, crate::helpers::fast(), &topology()).await;
        b.declare(&topology()).await.unwrap();
        b.publish(&f.n("meeting.events"), "meeting.ended", msg("m1"))
            .await
            .unwrap();
        assert_eq!(b.queue_depth(&f.n("ended")).await.unwrap(), 1);
        b.close().await;
        drop(b);
        // Queues are persisted: `send` works before anything is declared again.
        let b = quorum_bus::EmbeddedBroker::open(&path).await.unwrap();
        b.send(&f.n("ended"), msg("m2")).await.unwrap();
        assert_eq!(drain(&b, &f.n("ended")).await, ["m1", "m2"]);
    })
    .await;
}
