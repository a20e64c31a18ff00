//! `meeting.deleted` (`ai.meeting_deleted.queue`): the meeting's kept transcripts, its
//! analyses (automatic and requested) with their schedule suggestions, and its tasks' rows go
//! — so `GET /api/ai/meetings/{id}/analysis`, the `.ics` files and the tasks' status all
//! answer 404 — in one transaction with the inbox row and the meeting's tombstone
//! (`quorum_service::deleted_meetings`). Tasks still pending or running are failed ("the
//! meeting was deleted") after the commit.
//!
//! Work still on its way creates nothing afterwards: the `transcript.created` consumer, the
//! job workers and the requests check the tombstone first in the transaction that would
//! write for the meeting (`transcripts.rs`, `jobs.rs`, `routes/requests.rs`).

use std::sync::Arc;

use async_trait::async_trait;
use quorum_bus::{payload, Apply, Consumer, Envelope, HandleError, Subscription};
use quorum_contracts::events::{MeetingDeleted, MEETING_DELETED};
use quorum_contracts::exchanges;
use quorum_service::deleted_meetings;
use quorum_store::{now_millis, Tx};

use crate::app::AppState;
use crate::repository;

pub(crate) const SUBSCRIPTION: Subscription = Subscription::new(
    "ai.meeting_deleted.queue",
    &[(exchanges::MEETING, MEETING_DELETED)],
);
/// The consumer's name in the inbox.
pub(crate) const CONSUMER: &str = "ai.meeting_deleted";

pub(crate) struct MeetingDeletion {
    state: AppState,
}

impl MeetingDeletion {
    pub(crate) fn consumer(state: AppState) -> Arc<Consumer<Self>> {
        Consumer::new(state.db.clone(), Self { state })
    }
}

#[async_trait]
impl Apply for MeetingDeletion {
    /// The meeting's tasks, to fail once the deletion is committed.
    type Outcome = Vec<String>;

    fn name(&self) -> &'static str {
        CONSUMER
    }

    async fn apply(&self, tx: &mut Tx, envelope: &Envelope) -> Result<Vec<String>, HandleError> {
        let d: MeetingDeleted = payload(envelope)?;
        deleted_meetings::record(tx, d.meeting_id, now_millis()).await?;
        let tasks = repository::delete_meeting(tx, d.meeting_id).await?;
        tracing::info!(meeting = %d.meeting_id, tasks = tasks.len(),
            "a deleted meeting's analyses are gone");
        Ok(tasks)
    }

    async fn committed(&self, tasks: Vec<String>) {
        for task in tasks {
            // A finished task refuses the change; its status is no longer readable anyway
            // (its row is gone).
            if let Err(e) = self.state.tasks.fail(&task, crate::jobs::DELETED).await {
                tracing::debug!(%task, error = %e, "task of a deleted meeting not failed");
            }
        }
    }
}
