//! The event consumers. Each runs its effects and its inbox row in one transaction, so a
//! redelivered event changes nothing; after commit the outbox relay is woken and the
//! cached lists and stats of every touched user are evicted.
//!
//! - [`meeting_ended`]: `todo.meeting.queue` ← `meeting.events` `meeting.ended`;
//! - [`meeting_changed`]: `todo.meeting_changed.queue` ← `meeting.events` `meeting.created`,
//!   `meeting.started` (who takes part, before the meeting ends);
//! - [`analysis`]: `todo.ai.queue` ← `ai.events` `ai.analysis.completed`;
//! - [`meeting_deleted`]: `todo.meeting_deleted.queue` ← `meeting.events` `meeting.deleted`;
//! - [`directory`]: `todo.user.queue` ← `user.events` `user.*`.

pub(crate) mod analysis;
pub(crate) mod directory;
pub(crate) mod meeting_changed;
pub(crate) mod meeting_deleted;
pub(crate) mod meeting_ended;

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use quorum_bus::{Consumer, Envelope, HandleError};
use quorum_store::Tx;
use uuid::Uuid;

use crate::app::AppState;

/// One consumer's effects on the service's tables.
#[async_trait]
pub(crate) trait Effects: Send + Sync + 'static {
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

/// [`Effects`] as a bus consumer ([`quorum_bus::Apply`]): after commit the outbox relay is
/// woken and the touched users' lists and stats are evicted.
pub(crate) struct TodoConsumer<E> {
    state: AppState,
    effects: E,
}

impl<E: Effects> TodoConsumer<E> {
    pub(crate) fn consumer(state: AppState, effects: E) -> Arc<Consumer<Self>> {
        Consumer::new(state.db.clone(), Self { state, effects })
    }
}

pub(crate) fn retry(e: impl std::fmt::Display) -> HandleError {
    HandleError::retry(e)
}

pub(crate) fn reject(e: quorum_bus::BusError) -> HandleError {
    HandleError::reject(e)
}

#[async_trait]
impl<E: Effects> quorum_bus::Apply for TodoConsumer<E> {
    type Outcome = BTreeSet<Uuid>;

    fn name(&self) -> &'static str {
        self.effects.name()
    }

    async fn apply(&self, tx: &mut Tx, envelope: &Envelope) -> Result<Self::Outcome, HandleError> {
        self.effects.apply(&self.state, tx, envelope).await
    }

    async fn committed(&self, touched: Self::Outcome) {
        self.state.outbox.committed();
        self.state.evict(&touched).await;
    }
}
