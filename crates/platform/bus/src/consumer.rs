//! The idempotent consumer, written once.
//!
//! Every event consumer in Quorum follows one shape: decode the envelope, open a
//! transaction, record the event in the inbox (a redelivered event stops here and changes
//! nothing), apply the effects, commit, then run what may only happen after the commit
//! (waking the outbox relay, evicting caches, pushing to open streams). A consumer states
//! its effects as an [`Apply`]; [`Consumer`] is the bus [`Handler`] that runs them in that
//! order. Consumers whose work cannot sit inside one transaction (a chat call of seconds, a
//! plan written to disk first) open the inbox transaction themselves with [`begin_once`].
//!
//! Errors: a database or broker failure is transient ([`HandleError::retry`]: redelivered
//! after a backoff); a message that cannot be understood is permanent
//! ([`HandleError::reject`]: dead-lettered now).

use std::fmt::Display;
use std::sync::Arc;

use async_trait::async_trait;
use quorum_store::{Db, StoreError, Tx};
use uuid::Uuid;

use crate::broker::Delivery;
use crate::worker::{HandleError, Handler};
use crate::{inbox_record, BusError, Envelope};

impl HandleError {
    /// A transient failure: the message is redelivered after a backoff.
    pub fn retry(e: impl Display) -> Self {
        Self::Retry(e.to_string())
    }

    /// A permanent failure: the message is dead-lettered now.
    pub fn reject(e: impl Display) -> Self {
        Self::Reject(e.to_string())
    }
}

impl From<StoreError> for HandleError {
    fn from(e: StoreError) -> Self {
        Self::retry(e)
    }
}

impl From<sqlx::Error> for HandleError {
    fn from(e: sqlx::Error) -> Self {
        Self::retry(e)
    }
}

/// Decodes an event's payload; a payload that does not match its type is rejected (it will
/// never decode, however often it is redelivered).
pub fn payload<T: serde::de::DeserializeOwned>(envelope: &Envelope) -> Result<T, HandleError> {
    envelope
        .data_as()
        .map_err(|e: BusError| HandleError::reject(e))
}

/// Opens a transaction and records `event` for `consumer` in the inbox. `None` when the
/// consumer handled the event before (the transaction is dropped; nothing changed).
pub async fn begin_once(db: &Db, consumer: &str, event: Uuid) -> Result<Option<Tx>, HandleError> {
    let mut tx = db.begin().await?;
    if inbox_record(&mut tx, consumer, event)
        .await
        .map_err(HandleError::retry)?
    {
        Ok(Some(tx))
    } else {
        tracing::debug!(consumer, %event, "duplicate event skipped");
        Ok(None)
    }
}

/// One consumer's effects.
#[async_trait]
pub trait Apply: Send + Sync + 'static {
    /// What the effects leave for after the commit (users whose caches to evict, …).
    type Outcome: Send + 'static;

    /// The consumer's name in the inbox (unique per service database).
    fn name(&self) -> &'static str;

    /// Applies `envelope` inside `tx`, which already holds the event's inbox row.
    async fn apply(&self, tx: &mut Tx, envelope: &Envelope) -> Result<Self::Outcome, HandleError>;

    /// Runs once the effects are committed. Not retried: the effects are durable, so what
    /// runs here must only speed things up (wake a relay, evict a cache, push to a stream).
    async fn committed(&self, _outcome: Self::Outcome) {}
}

/// Runs an [`Apply`] as an idempotent bus [`Handler`]: envelope decoded (undecodable →
/// rejected), inbox row and effects in one transaction, [`Apply::committed`] after commit.
pub struct Consumer<A> {
    db: Db,
    apply: A,
}

impl<A: Apply> Consumer<A> {
    pub fn new(db: Db, apply: A) -> Arc<Self> {
        Arc::new(Self { db, apply })
    }
}

#[async_trait]
impl<A: Apply> Handler for Consumer<A> {
    async fn handle(&self, delivery: &dyn Delivery) -> Result<(), HandleError> {
        let envelope =
            Envelope::from_bytes(&delivery.message().body).map_err(HandleError::reject)?;
        let Some(mut tx) = begin_once(&self.db, self.apply.name(), envelope.id).await? else {
            return Ok(());
        };
        let outcome = self.apply.apply(&mut tx, &envelope).await?;
        tx.commit().await?;
        self.apply.committed(outcome).await;
        Ok(())
    }
}
