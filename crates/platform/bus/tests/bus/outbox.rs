use std::sync::atomic::Ordering;
use std::sync::Arc;

use quorum_bus::outbox::MIGRATIONS;
use quorum_bus::{Broker, Envelope, Outbox, QueueSpec, Topology};
use quorum_store::{Db, DbOptions, Migration};
use tokio_util::sync::CancellationToken;

use crate::helpers::{eventually, next, on_both_brokers, within, Backend, Fixture, Flaky};

const SERVICE: &[Migration] = &[Migration::new(
    1,
    "meetings",
    "CREATE TABLE meetings (id TEXT PRIMARY KEY, status TEXT NOT NULL)",
)];

pub(crate) const EXCHANGE: &str = "meeting.events";

pub(crate) fn topology() -> Topology {
    topology_named(EXCHANGE, "notify")
}

fn topology_named(exchange: &str, queue: &str) -> Topology {
    Topology::new()
        .exchange(exchange)
        .queue(QueueSpec::new(queue))
        .bind(queue, exchange, "meeting.*")
}

/// A fixture with the outbox topology declared; returns it, the exchange and the queue.
async fn fixture(backend: Backend) -> Option<(Fixture, String, String)> {
    let f = Fixture::new(backend).await?;
    let (exchange, queue) = (f.n(EXCHANGE), f.n("notify"));
    f.declare(&topology_named(&exchange, &queue)).await;
    Some((f, exchange, queue))
}

/// Ends a meeting: the state change and its event (for `exchange`) in one transaction.
pub(crate) async fn end_meeting(
    db: &Db,
    outbox: &Outbox,
    exchange: &str,
    id: &str,
    commit: bool,
) -> Envelope {
    let event = Envelope::new("meeting.ended", "quorum/meeting", Some(id.into()), 1, &id).unwrap();
    let mut tx = db.begin().await.unwrap();
    sqlx::query("INSERT INTO meetings (id, status) VALUES ($1, 'ended')")
        .bind(id)
        .execute(&mut *tx)
        .await
        .unwrap();
    outbox.enqueue(&mut tx, exchange, &event).await.unwrap();
    if commit {
        tx.commit().await.unwrap();
        outbox.committed();
    } else {
        tx.rollback().await.unwrap();
    }
    event
}

pub(crate) async fn service_db(db: Db) -> (Db, Outbox) {
    db.migrate("bus", MIGRATIONS).await.unwrap();
    db.migrate("svc", SERVICE).await.unwrap();
    let outbox = Outbox::new(db.clone());
    (db, outbox)
}

async fn sqlite_service(dir: &tempfile::TempDir) -> (Db, Outbox) {
    let db = Db::open_sqlite(&dir.path().join("meeting.db"), &DbOptions::default())
        .await
        .unwrap();
    service_db(db).await
}

on_both_brokers!(
    event_written_while_broker_is_down_is_published_once_it_is_back,
    rolled_back_transaction_publishes_nothing,
    relay_keeps_order_and_skips_unroutable_events,
);

async fn event_written_while_broker_is_down_is_published_once_it_is_back(backend: Backend) {
    let Some((f, ex, notify)) = fixture(backend).await else {
        return;
    };
    within(30, async {
        let dir = tempfile::tempdir().unwrap();
        let (db, outbox) = sqlite_service(&dir).await;
        let flaky = Arc::new(Flaky::new(f.broker.clone(), false));
        let stop = CancellationToken::new();
        let relay = outbox.spawn_relay(flaky.clone(), stop.clone());

        let event = end_meeting(&db, &outbox, &ex, "m-1", true).await;
        // The write succeeded although the broker refuses everything.
        eventually(|| async { flaky.failed.load(Ordering::SeqCst) >= 2 }).await;
        assert_eq!(flaky.queue_depth(&notify).await.unwrap(), 0);
        assert_eq!(outbox.pending().await.unwrap(), 1);

        flaky.online.store(true, Ordering::SeqCst);
        let mut c = flaky.consume(&notify, 1).await.unwrap();
        let d = next(&mut c).await;
        assert_eq!(Envelope::from_bytes(&d.message().body).unwrap(), event);
        assert_eq!(d.message().id, event.id.to_string());
        d.ack().await.unwrap();
        eventually(|| async { outbox.pending().await.unwrap() == 0 }).await;
        assert_eq!(flaky.accepted(), [event.id.to_string()]);
        stop.cancel();
        relay.await.unwrap();
    })
    .await;
}

async fn rolled_back_transaction_publishes_nothing(backend: Backend) {
    let Some((f, ex, notify)) = fixture(backend).await else {
        return;
    };
    within(30, async {
        let dir = tempfile::tempdir().unwrap();
        let (db, outbox) = sqlite_service(&dir).await;
        end_meeting(&db, &outbox, &ex, "m-1", false).await;
        assert_eq!(outbox.pending().await.unwrap(), 0);
        assert_eq!(outbox.relay_once(&*f.broker).await.unwrap(), 0);
        assert_eq!(f.broker.queue_depth(&notify).await.unwrap(), 0);
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM meetings")
            .fetch_one(db.reader())
            .await
            .unwrap();
        assert_eq!(n, 0);
    })
    .await;
}

async fn relay_keeps_order_and_skips_unroutable_events(backend: Backend) {
    let Some((f, ex, notify)) = fixture(backend).await else {
        return;
    };
    within(30, async {
        let dir = tempfile::tempdir().unwrap();
        let (db, outbox) = sqlite_service(&dir).await;
        let first = end_meeting(&db, &outbox, &ex, "m-1", true).await;
        let mut tx = db.begin().await.unwrap();
        let orphan = Envelope::new("recording.deleted", "quorum/meeting", None, 1, &()).unwrap();
        outbox.enqueue(&mut tx, &ex, &orphan).await.unwrap();
        tx.commit().await.unwrap();
        let last = end_meeting(&db, &outbox, &ex, "m-2", true).await;

        assert_eq!(outbox.relay_once(&*f.broker).await.unwrap(), 3);
        assert_eq!(outbox.pending().await.unwrap(), 0);
        let (err,): (Option<String>,) =
            sqlx::query_as("SELECT last_error FROM outbox WHERE id = $1")
                .bind(orphan.id.to_string())
                .fetch_one(db.reader())
                .await
                .unwrap();
        assert!(err.unwrap_or_default().contains("no queue is bound"));
        let ids = crate::helpers::drain(&*f.broker, &notify).await;
        assert_eq!(ids, [first.id.to_string(), last.id.to_string()]);
    })
    .await;
}
