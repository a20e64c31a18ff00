//! Transactional outbox (events written with the state change, relayed afterwards) and the
//! idempotent-consumer inbox. (Implementation in progress.)

use std::sync::Arc;

use quorum_store::{Db, Migration, Tx};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::{Broker, BusError, Envelope};

/// Tables `outbox` and `inbox`; every service runs them with scope `"bus"`.
pub const MIGRATIONS: &[Migration] = &[];

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
        let _ = (tx, exchange, envelope, &self.db);
        todo!()
    }

    /// Tells the relay that new rows were committed (call after `tx.commit()`).
    pub fn committed(&self) {
        self.wake.notify_one();
    }

    /// Starts the relay: publishes unsent rows in order, marks them sent after the broker
    /// accepted them, retries with backoff while the broker is unavailable.
    pub fn spawn_relay(
        &self,
        broker: Arc<dyn Broker>,
        shutdown: CancellationToken,
    ) -> tokio::task::JoinHandle<()> {
        let _ = (broker, shutdown);
        todo!()
    }
}

/// Records that `consumer` handled `event_id`, inside the transaction holding the consumer's
/// effects. Returns `false` when it already had (the caller then skips its effects).
pub async fn inbox_record(tx: &mut Tx, consumer: &str, event_id: Uuid) -> Result<bool, BusError> {
    let _ = (tx, consumer, event_id);
    todo!()
}
