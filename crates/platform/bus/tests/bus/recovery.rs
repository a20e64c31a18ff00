use quorum_bus::outbox::MIGRATIONS;
use quorum_bus::{inbox_record, Broker, Delivery, Envelope, Message, QueueSpec, Topology};
use quorum_store::{Db, DbOptions, Migration};

use crate::helpers::{fast, next, nothing_within, open, within};

const SERVICE: &[Migration] = &[Migration::new(
    1,
    "effects",
    "CREATE TABLE effects (event_id TEXT NOT NULL, note TEXT NOT NULL)",
)];

/// A consumer's effect and its inbox row, in one transaction. Returns whether it applied.
async fn handle(db: &Db, delivery: &dyn Delivery) -> bool {
    let event = Envelope::from_bytes(&delivery.message().body).unwrap();
    let mut tx = db.begin().await.unwrap();
    let fresh = inbox_record(&mut tx, "notifier", event.id).await.unwrap();
    if fresh {
        sqlx::query("INSERT INTO effects (event_id, note) VALUES ($1, $2)")
            .bind(event.id.to_string())
            .bind("email sent")
            .execute(&mut *tx)
            .await
            .unwrap();
    }
    tx.commit().await.unwrap();
    fresh
}

#[tokio::test]
async fn message_claimed_when_the_process_died_is_redelivered_and_applied_once() {
    within(30, async {
        let dir = tempfile::tempdir().unwrap();
        let broker_path = dir.path().join("broker.db");
        let service = Db::open_sqlite(&dir.path().join("svc.db"), &DbOptions::default())
            .await
            .unwrap();
        service.migrate("bus", MIGRATIONS).await.unwrap();
        service.migrate("svc", SERVICE).await.unwrap();
        let t = Topology::new().queue(QueueSpec::new("notify"));

        let event = Envelope::new("meeting.ended", "quorum/meeting", None, 1, &"m-1").unwrap();
        let b = open(&broker_path, fast(), &t).await;
        b.send(
            "notify",
            Message::new(event.id.to_string(), event.to_bytes()),
        )
        .await
        .unwrap();
        let mut c = b.consume("notify", 1).await.unwrap();
        let d = next(&mut c).await;
        assert_eq!(d.delivery_count(), 1);
        // The effect commits, then the process dies before the ack reaches the broker.
        assert!(handle(&service, &*d).await);
        std::mem::forget(d);
        drop(c);
        drop(b);

        let b = open(&broker_path, fast(), &t).await;
        let mut c = b.consume("notify", 1).await.unwrap();
        let d = next(&mut c).await;
        assert_eq!(d.message().id, event.id.to_string());
        assert_eq!(d.delivery_count(), 2);
        assert!(
            !handle(&service, &*d).await,
            "inbox must recognise the event"
        );
        d.ack().await.unwrap();
        nothing_within(&mut c, 300).await;

        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM effects")
            .fetch_one(service.reader())
            .await
            .unwrap();
        assert_eq!(n, 1, "the effect must happen exactly once");
    })
    .await;
}

#[tokio::test]
async fn close_stops_consumers() {
    within(30, async {
        let dir = tempfile::tempdir().unwrap();
        let t = Topology::new().queue(QueueSpec::new("q"));
        let b = open(&dir.path().join("b.db"), fast(), &t).await;
        let mut c = b.consume("q", 1).await.unwrap();
        let waiting = tokio::spawn(async move { c.next().await.is_none() });
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        b.close().await;
        assert!(
            waiting.await.unwrap(),
            "next() must return None after close"
        );
    })
    .await;
}
