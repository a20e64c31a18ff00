//! The idempotent consumer (`Apply` run by `Consumer`): an event redelivered with the same id
//! changes nothing and runs no after-commit work twice; a failed effect rolls back the inbox
//! row with it, so the redelivery applies it; an undecodable message is dead-lettered at once.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use quorum_bus::outbox::MIGRATIONS;
use quorum_bus::{
    spawn_workers, Apply, Consumer, Envelope, HandleError, Message, QueueSpec, Topology,
    WorkerOptions,
};
use quorum_store::{Db, DbOptions, Migration, Tx};
use tokio_util::sync::CancellationToken;

use crate::helpers::{eventually, next, on_both_brokers, within, Backend, Fixture};

on_both_brokers!(a_redelivered_event_is_applied_once_and_a_failed_one_again,);

const TABLE: &[Migration] = &[Migration::new(
    1,
    "seen",
    "CREATE TABLE seen (event_id TEXT NOT NULL, note TEXT NOT NULL)",
)];

/// Writes one row per applied event; fails the first application of an event noted `flaky`.
#[derive(Default)]
struct Recorder {
    failed_once: AtomicUsize,
    committed: AtomicUsize,
}

/// The consumer's handle on the recorder the test reads.
struct Shared(Arc<Recorder>);

#[async_trait]
impl Apply for Shared {
    type Outcome = ();

    fn name(&self) -> &'static str {
        "test.recorder"
    }

    async fn apply(&self, tx: &mut Tx, envelope: &Envelope) -> Result<(), HandleError> {
        let note: String = quorum_bus::payload(envelope)?;
        sqlx::query("INSERT INTO seen (event_id, note) VALUES ($1, $2)")
            .bind(envelope.id.to_string())
            .bind(&note)
            .execute(&mut **tx)
            .await?;
        if note == "flaky" && self.0.failed_once.fetch_add(1, Ordering::SeqCst) == 0 {
            return Err(HandleError::retry("the first try fails after writing"));
        }
        Ok(())
    }

    async fn committed(&self, (): ()) {
        self.0.committed.fetch_add(1, Ordering::SeqCst);
    }
}

fn send(envelope: &Envelope) -> Message {
    Message::new(uuid::Uuid::new_v4().to_string(), envelope.to_bytes())
}

async fn rows(db: &Db, note: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM seen WHERE note = $1")
        .bind(note)
        .fetch_one(db.reader())
        .await
        .unwrap()
}

async fn a_redelivered_event_is_applied_once_and_a_failed_one_again(backend: Backend) {
    let Some(f) = Fixture::new(backend).await else {
        return;
    };
    let queue = f.n("events");
    f.declare(&Topology::new().queue(QueueSpec::new(&queue).max_deliveries(5)))
        .await;
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_sqlite(&dir.path().join("svc.db"), &DbOptions::default())
        .await
        .unwrap();
    db.migrate("bus", MIGRATIONS).await.unwrap();
    db.migrate("test", TABLE).await.unwrap();
    within(30, async {
        let once = Envelope::new("test.once", "quorum/test", None, 1, &"once").unwrap();
        let flaky = Envelope::new("test.flaky", "quorum/test", None, 1, &"flaky").unwrap();
        // The same event twice (as a relay that crashed before marking it sent would publish
        // it), the flaky one, and a message that is no envelope at all.
        for m in [send(&once), send(&once), send(&flaky)] {
            f.broker.send(&queue, m).await.unwrap();
        }
        f.broker
            .send(&queue, Message::new("garbage", b"not json".to_vec()))
            .await
            .unwrap();
        let recorder = Arc::new(Recorder::default());
        let stop = CancellationToken::new();
        let options = WorkerOptions {
            concurrency: 1,
            backoff_base: Duration::from_millis(10),
            backoff_max: Duration::from_millis(50),
        };
        let task = spawn_workers(
            f.broker.clone(),
            &queue,
            options,
            Consumer::new(db.clone(), Shared(recorder.clone())),
            stop.clone(),
        );
        let mut dlq = f.broker.consume(&f.n("events.dlq"), 1).await.unwrap();
        assert_eq!(next(&mut dlq).await.message().id, "garbage");
        eventually(|| async { rows(&db, "flaky").await == 1 }).await;
        eventually(|| async { recorder.committed.load(Ordering::SeqCst) == 2 }).await;
        tokio::time::sleep(Duration::from_millis(200)).await;
        stop.cancel();
        task.await.unwrap();
        assert_eq!(
            rows(&db, "once").await,
            1,
            "a redelivered event applied twice"
        );
        assert_eq!(rows(&db, "flaky").await, 1, "the failed try's row was kept");
        assert_eq!(recorder.failed_once.load(Ordering::SeqCst), 2);
        assert_eq!(recorder.committed.load(Ordering::SeqCst), 2);
    })
    .await;
}
