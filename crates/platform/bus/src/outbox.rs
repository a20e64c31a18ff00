//! Transactional outbox (events written with the state change, relayed afterwards) and the
//! idempotent-consumer inbox.
//!
//! A service writes its state change and [`Outbox::enqueue`]s the event in the same
//! transaction, so either both happen or neither does. The relay ([`Outbox::spawn_relay`])
//! publishes unsent rows in `seq` order and marks a row published only after the broker took
//! it; while the broker is down rows simply wait, so a broker outage never fails or loses a
//! write. Delivery is therefore at-least-once, and consumers record each event id in their
//! `inbox` ([`inbox_record`]) in the transaction holding their effects.

mod relay;

use std::sync::Arc;

use quorum_store::{now_millis, Db, Migration, Tx};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::{Broker, BusError, Envelope};

/// Tables `outbox` and `inbox`; every service runs them with scope `"bus"`.
///
/// `seq` is the primary key (a serial gives the relay its order); the envelope id is unique.
pub const MIGRATIONS: &[Migration] = &[Migration::new(
    1,
    "outbox_inbox",
    "CREATE TABLE outbox (
        seq {{serial}},
        id TEXT NOT NULL UNIQUE,
        exchange TEXT NOT NULL,
        routing_key TEXT NOT NULL,
        payload TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        published_at BIGINT,
        attempts BIGINT NOT NULL DEFAULT 0,
        last_error TEXT);
     CREATE INDEX outbox_unpublished ON outbox (seq) WHERE published_at IS NULL;
     CREATE INDEX outbox_published_at ON outbox (published_at);
     CREATE TABLE inbox (
        consumer TEXT NOT NULL,
        event_id TEXT NOT NULL,
        processed_at BIGINT NOT NULL,
        PRIMARY KEY (consumer, event_id))",
)];

/// A service's outbox.
#[derive(Clone)]
pub struct Outbox {
    db: Db,
    wake: Arc<tokio::sync::Notify>,
}

impl Outbox {
    pub fn new(db: Db) -> Self {
        Self {
            db,
            wake: Arc::new(tokio::sync::Notify::new()),
        }
    }

    /// Records `envelope` for publication to `exchange` (routing key = `envelope.kind`) inside
    /// the caller's transaction.
    pub async fn enqueue(
        &self,
        tx: &mut Tx,
        exchange: &str,
        envelope: &Envelope,
    ) -> Result<(), BusError> {
        let payload =
            serde_json::to_string(envelope).map_err(|e| BusError::Malformed(e.to_string()))?;
        sqlx::query(
            "INSERT INTO outbox (id, exchange, routing_key, payload, created_at, attempts) \
             VALUES ($1, $2, $3, $4, $5, 0)",
        )
        .bind(envelope.id.to_string())
        .bind(exchange)
        .bind(&envelope.kind)
        .bind(payload)
        .bind(now_millis())
        .execute(&mut **tx)
        .await?;
        Ok(())
    }

    /// Tells the relay that new rows were committed (call after `tx.commit()`).
    pub fn committed(&self) {
        self.wake.notify_one();
    }

    /// Starts the relay: publishes unsent rows in order, marks them sent after the broker
    /// accepted them, retries with backoff while the broker is unavailable.
    ///
    /// An event the broker reports as `Unroutable` (no queue subscribes to it) is logged and
    /// marked published with the reason in `last_error`: an event nobody listens to is not a
    /// failure, and holding it back would block every later event behind it. Every other
    /// error (broker down, exchange not declared yet, queue full) leaves the row unsent and
    /// is retried with exponential backoff.
    ///
    /// On PostgreSQL rows are taken with `FOR UPDATE SKIP LOCKED` inside a transaction, so
    /// relays in several replicas never publish a row twice (order is then kept per relay
    /// batch). On SQLite one process owns the database and runs one relay.
    /// Published rows older than a day are pruned periodically.
    pub fn spawn_relay(
        &self,
        broker: Arc<dyn Broker>,
        shutdown: CancellationToken,
    ) -> tokio::task::JoinHandle<()> {
        tokio::spawn(relay::run(self.clone(), broker, shutdown))
    }

    /// Publishes one batch of unsent rows now; returns how many rows were settled (published
    /// or skipped as unroutable). Stops at the first publish that fails and returns its error
    /// (the rows before it stay settled).
    pub async fn relay_once(&self, broker: &dyn Broker) -> Result<usize, BusError> {
        relay::relay_batch(&self.db, broker).await
    }

    /// Rows not yet published.
    pub async fn pending(&self) -> Result<u64, BusError> {
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM outbox WHERE published_at IS NULL")
            .fetch_one(self.db.reader())
            .await?;
        Ok(u64::try_from(n).unwrap_or(0))
    }
}

/// Records that `consumer` handled `event_id`, inside the transaction holding the consumer's
/// effects. Returns `false` when it already had (the caller then skips its effects).
pub async fn inbox_record(tx: &mut Tx, consumer: &str, event_id: Uuid) -> Result<bool, BusError> {
    let done = sqlx::query(
        "INSERT INTO inbox (consumer, event_id, processed_at) VALUES ($1, $2, $3) \
         ON CONFLICT DO NOTHING",
    )
    .bind(consumer)
    .bind(event_id.to_string())
    .bind(now_millis())
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected() == 1)
}
