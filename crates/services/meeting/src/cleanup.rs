//! The files of a deleted meeting. `DELETE /api/meetings/{id}` removes the meeting's rows and
//! writes `meeting.deleted` in one transaction, then removes its recordings' files at once;
//! the service also consumes its own `meeting.deleted` (`meeting.cleanup.queue`) and removes
//! them again, so a process that stopped between the commit and the files (or a file system
//! that failed) still leaves no audio behind: the event is redelivered until the removal
//! succeeds. Removing what is already gone is fine, so no inbox is needed.

use async_trait::async_trait;
use quorum_bus::{payload, Delivery, Envelope, HandleError, Handler, Subscription};
use quorum_contracts::events::{MeetingDeleted, MEETING_DELETED};
use quorum_contracts::exchanges;

use crate::app::AppState;

pub(crate) const SUBSCRIPTION: Subscription = Subscription::new(
    "meeting.cleanup.queue",
    &[(exchanges::MEETING, MEETING_DELETED)],
);

pub(crate) struct Cleanup {
    state: AppState,
}

impl Cleanup {
    pub(crate) fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[async_trait]
impl Handler for Cleanup {
    async fn handle(&self, delivery: &dyn Delivery) -> Result<(), HandleError> {
        let envelope =
            Envelope::from_bytes(&delivery.message().body).map_err(HandleError::reject)?;
        if envelope.kind != MEETING_DELETED {
            return Ok(());
        }
        let deleted: MeetingDeleted = payload(&envelope)?;
        self.state
            .recordings
            .remove_meeting(deleted.meeting_id, &[])
            .await
            .map_err(HandleError::retry)?;
        tracing::debug!(meeting = %deleted.meeting_id, "a deleted meeting's recordings are gone");
        Ok(())
    }
}
