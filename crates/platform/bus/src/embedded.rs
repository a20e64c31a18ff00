//! The embedded durable broker: queues are rows in an SQLite database.
//!
//! Publishing routes a message through the in-memory topology and inserts one row per target
//! queue in a single transaction (so `QueueFull` leaves nothing behind). Consumers claim rows
//! with one `UPDATE … RETURNING` (highest priority, then oldest), hold them while they are
//! handled, and settle them by deleting (ack), re-readying (nack) or moving them to the
//! dead-letter queue. Consumers in this process are woken by publishes and nacks through a
//! per-queue [`Notify`](tokio::sync::Notify) and also poll, so a message is picked up within
//! milliseconds.
//!
//! Crash safety: claimed rows carry a lease. Opening the database makes every claimed row
//! ready again (one process owns a broker file), so a message being handled when the process
//! died is delivered again, with its delivery count showing it. A periodic sweep dead-letters
//! expired messages and returns rows whose lease ran out without a live delivery.
//!
//! Layout: `schema` (tables, row mapping), `state` (topology and wake-ups in memory), `ops`
//! (claim, release, dead-letter), `consumer`, `delivery`, `sweep`.

mod consumer;
mod delivery;
mod ops;
mod schema;
mod state;
mod sweep;

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use quorum_store::{now_millis, Db, DbOptions};
use sqlx::Row as _;

use self::consumer::EmbeddedConsumer;
use self::state::Inner;
use crate::broker::Consumer;
use crate::{Broker, BusError, Message, QueueSpec, Topology};

/// Timings of the embedded broker.
#[derive(Debug, Clone)]
pub struct EmbeddedOptions {
    /// How long a claimed message may stay unsettled before the sweep makes it ready again
    /// (only when no delivery object for it is alive in this process).
    pub visibility_timeout: Duration,
    /// How often expired messages and stale leases are swept.
    pub sweep_interval: Duration,
    /// How often an idle consumer looks for due messages without being woken.
    pub poll_interval: Duration,
}

impl Default for EmbeddedOptions {
    fn default() -> Self {
        Self {
            visibility_timeout: Duration::from_secs(300),
            sweep_interval: Duration::from_secs(1),
            poll_interval: Duration::from_millis(250),
        }
    }
}

/// A broker whose queues live in an SQLite file; see the crate docs.
pub struct EmbeddedBroker {
    inner: Arc<Inner>,
}

impl EmbeddedBroker {
    /// Opens (creating if needed) the broker database at `path`.
    pub async fn open(path: &Path) -> Result<Self, BusError> {
        Self::open_with(path, EmbeddedOptions::default()).await
    }

    /// [`open`](Self::open) with explicit timings.
    pub async fn open_with(path: &Path, options: EmbeddedOptions) -> Result<Self, BusError> {
        let db = Db::open_sqlite(path, &DbOptions::default()).await?;
        Self::with_db_options(db, options).await
    }

    /// Uses an already opened database (its own, not a service's).
    pub async fn with_db(db: Db) -> Result<Self, BusError> {
        Self::with_db_options(db, EmbeddedOptions::default()).await
    }

    /// [`with_db`](Self::with_db) with explicit timings.
    pub async fn with_db_options(db: Db, options: EmbeddedOptions) -> Result<Self, BusError> {
        db.migrate("bus_broker", schema::MIGRATIONS).await?;
        // Whatever was claimed when the previous process stopped is ready again.
        let reset =
            sqlx::query("UPDATE bus_messages SET state = $1, lease_until = NULL WHERE state = $2")
                .bind(schema::STATE_READY)
                .bind(schema::STATE_CLAIMED)
                .execute(db.writer())
                .await?;
        if reset.rows_affected() > 0 {
            tracing::info!(
                messages = reset.rows_affected(),
                "unsettled messages from the previous run will be delivered again"
            );
        }
        let rows = sqlx::query("SELECT * FROM bus_queues")
            .fetch_all(db.reader())
            .await?;
        let queues = rows
            .iter()
            .map(schema::queue_from_row)
            .collect::<Result<Vec<_>, _>>()?;
        let inner = Arc::new(Inner::new(db, options, queues));
        sweep::spawn(Arc::downgrade(&inner));
        Ok(Self { inner })
    }

    /// Stops consumers (their `next()` returns `None`) and closes the database. Unsettled
    /// deliveries are delivered again after the next open.
    pub async fn close(&self) {
        self.inner.closed.cancel();
        self.inner.db.close().await;
    }

    /// Dead-letters expired messages and recovers stale leases now (the sweep does this
    /// periodically).
    pub async fn sweep(&self) -> Result<(), BusError> {
        sweep::sweep_once(&self.inner).await
    }

    /// Inserts `message` into every queue of `targets` in one transaction, or into none.
    async fn enqueue(&self, targets: &[QueueSpec], message: &Message) -> Result<(), BusError> {
        let now = now_millis();
        let mut tx = self.inner.db.begin().await?;
        for spec in targets {
            let Some(max) = spec.max_length else { continue };
            let row = sqlx::query(
                "SELECT COUNT(*) AS n FROM bus_messages WHERE queue = $1 AND state = $2",
            )
            .bind(&spec.name)
            .bind(schema::STATE_READY)
            .fetch_one(&mut *tx)
            .await?;
            let n: i64 = row.try_get("n")?;
            if u64::try_from(n).unwrap_or(0) >= max {
                return Err(BusError::QueueFull {
                    queue: spec.name.clone(),
                    max_length: max,
                });
            }
        }
        for spec in targets {
            schema::insert(&mut tx, spec, message, now).await?;
        }
        tx.commit().await?;
        for spec in targets {
            self.inner.wake(&spec.name);
        }
        Ok(())
    }
}

impl Drop for EmbeddedBroker {
    fn drop(&mut self) {
        self.inner.closed.cancel();
    }
}

#[async_trait]
impl Broker for EmbeddedBroker {
    async fn declare(&self, topology: &Topology) -> Result<(), BusError> {
        let queues = Inner::expand(topology);
        let now = now_millis();
        let mut tx = self.inner.db.begin().await?;
        for spec in &queues {
            let explicit = topology.queues.iter().any(|q| q.name == spec.name);
            if explicit || self.inner.queue(&spec.name).is_err() {
                schema::upsert_queue(&mut tx, spec, now).await?;
            }
        }
        tx.commit().await?;
        self.inner.apply(topology, &queues);
        Ok(())
    }

    async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        message: Message,
    ) -> Result<(), BusError> {
        let targets = self.inner.route(exchange, routing_key)?;
        if targets.is_empty() {
            return Err(BusError::Unroutable {
                exchange: exchange.to_string(),
                routing_key: routing_key.to_string(),
            });
        }
        self.enqueue(&targets, &message).await
    }

    async fn send(&self, queue: &str, message: Message) -> Result<(), BusError> {
        let spec = self.inner.queue(queue)?;
        self.enqueue(&[spec], &message).await
    }

    async fn consume(&self, queue: &str, prefetch: usize) -> Result<Box<dyn Consumer>, BusError> {
        self.inner.queue(queue)?;
        Ok(Box::new(EmbeddedConsumer::new(
            self.inner.clone(),
            queue,
            prefetch,
        )))
    }

    async fn queue_depth(&self, queue: &str) -> Result<u64, BusError> {
        self.inner.queue(queue)?;
        let row =
            sqlx::query("SELECT COUNT(*) AS n FROM bus_messages WHERE queue = $1 AND state = $2")
                .bind(queue)
                .bind(schema::STATE_READY)
                .fetch_one(self.inner.db.reader())
                .await?;
        let n: i64 = row.try_get("n")?;
        Ok(u64::try_from(n).unwrap_or(0))
    }

    async fn ping(&self) -> Result<(), BusError> {
        self.inner.db.ping().await?;
        Ok(())
    }

    fn kind(&self) -> &'static str {
        "embedded"
    }
}
