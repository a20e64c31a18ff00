//! `meeting.deleted`: the meeting's todos go (with their status history, and no event per
//! todo: the meeting's deletion already tells every service), and so do its participants and
//! its row, in one transaction with the inbox row and the meeting's tombstone
//! (`quorum_service::deleted_meetings`). After the commit the lists and stats of everyone
//! involved — assignees, creators, participants — are evicted.
//!
//! `meeting.ended` and `ai.analysis.completed` for a deleted meeting (still in a queue, or
//! redelivered) check the tombstone first and create nothing.

use std::collections::BTreeSet;

use async_trait::async_trait;
use quorum_bus::{Envelope, HandleError, Subscription};
use quorum_contracts::events::{MeetingDeleted, MEETING_DELETED};
use quorum_contracts::exchanges;
use quorum_service::deleted_meetings;
use quorum_store::{now_millis, Tx};
use uuid::Uuid;

use super::{reject, retry, Effects};
use crate::app::AppState;
use crate::repository::meetings;

pub(crate) const SUBSCRIPTION: Subscription = Subscription::new(
    "todo.meeting_deleted.queue",
    &[(exchanges::MEETING, MEETING_DELETED)],
);

pub(crate) struct MeetingDeletedConsumer;

#[async_trait]
impl Effects for MeetingDeletedConsumer {
    fn name(&self) -> &'static str {
        "todo.meeting_deleted"
    }

    async fn apply(
        &self,
        _state: &AppState,
        tx: &mut Tx,
        envelope: &Envelope,
    ) -> Result<BTreeSet<Uuid>, HandleError> {
        let d: MeetingDeleted = envelope.data_as().map_err(reject)?;
        deleted_meetings::record(tx, d.meeting_id, now_millis())
            .await
            .map_err(retry)?;
        let mut touched = meetings::delete(tx, d.meeting_id).await.map_err(retry)?;
        touched.extend(d.participant_ids.iter().copied().chain([d.owner_id]));
        tracing::info!(meeting = %d.meeting_id, users = touched.len(),
            "a deleted meeting's todos are gone");
        Ok(touched)
    }
}
