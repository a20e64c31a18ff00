//! The event consumers. Each runs its effects and its inbox row in one transaction, so a
//! redelivered event changes nothing; after commit the outbox relay is woken and the
//! cached lists and stats of every touched user are evicted.
//!
//! - [`meeting_ended`]: `todo.meeting.queue` ← `meeting.events` `meeting.ended`;
//! - [`analysis`]: `todo.ai.queue` ← `ai.events` `ai.analysis.completed`;
//! - [`directory`]: `todo.user.queue` ← `user.events` `user.*`.

pub(crate) mod analysis;
pub(crate) mod directory;
pub(crate) mod meeting_ended;

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use quorum_bus::{inbox_record, Delivery, Envelope, HandleError, Handler};
use quorum_store::Tx;
use uuid::Uuid;

use crate::app::AppState;
use crate::error::ApiError;

/// One consumer's effects.
#[async_trait]
pub(crate) trait Apply: Send + Sync + 'static {
    /// The consumer's name in the inbox.
    fn name(&self) -> &'static str;
    /// Applies `envelope` inside `tx`; returns the users whose caches must be evicted.
    async fn apply(
        &self,
        state: &AppState,
        tx: &mut Tx,
        envelope: &Envelope,
    ) -> Result<BTreeSet<Uuid>, HandleError>;
}

/// Adapts an [`Apply`] to the bus's [`Handler`].
pub(crate) struct Consumer {
    state: AppState,
    apply: Box<dyn Apply>,
}

impl Consumer {
    pub(crate) fn new(state: AppState, apply: impl Apply) -> Arc<Self> {
        Arc::new(Self {
            state,
            apply: Box::new(apply),
        })
    }
}

pub(crate) fn retry(e: ApiError) -> HandleError {
    HandleError::Retry(e.to_string())
}

pub(crate) fn reject(e: quorum_bus::BusError) -> HandleError {
    HandleError::Reject(e.to_string())
}

#[async_trait]
impl Handler for Consumer {
    async fn handle(&self, delivery: &dyn Delivery) -> Result<(), HandleError> {
        let envelope = Envelope::from_bytes(&delivery.message().body).map_err(reject)?;
        let name = self.apply.name();
        let mut tx = self.state.db.begin().await.map_err(|e| retry(e.into()))?;
        let first = inbox_record(&mut tx, name, envelope.id)
            .await
            .map_err(|e| HandleError::Retry(e.to_string()))?;
        if !first {
            tracing::debug!(consumer = name, event = %envelope.id, "duplicate event skipped");
            return Ok(());
        }
        let touched = self.apply.apply(&self.state, &mut tx, &envelope).await?;
        tx.commit().await.map_err(|e| retry(e.into()))?;
        self.state.outbox.committed();
        self.state.evict(&touched).await;
        Ok(())
    }
}
