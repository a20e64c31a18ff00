//! `meeting.deleted` (`transcript.meeting_deleted.queue`): the meeting's transcript goes with
//! its sections and readers (the shares), and its speech-to-text job with its chunk rows, its
//! chunk audio and its task (failed: "the meeting was deleted") — all in one transaction with
//! the inbox row and the meeting's tombstone (`quorum_service::deleted_meetings`).
//!
//! Work still on its way for the meeting creates nothing afterwards, because every step that
//! writes a transcript or a job checks the tombstone first in its own transaction: the
//! `meeting.ended` / `meeting.recording_added` consumer (`ingest.rs`: no transcript, no job),
//! the assembler and the fallback to the notes (`transcribe.rs`: a chunk that finishes after
//! the deletion finds its job gone, and an assembly that began before it makes the deletion
//! wait, then is deleted with the rest).

use std::sync::Arc;

use async_trait::async_trait;
use quorum_bus::{payload, Apply, Consumer, Envelope, HandleError, Subscription};
use quorum_contracts::events::{MeetingDeleted, MEETING_DELETED};
use quorum_contracts::exchanges;
use quorum_service::deleted_meetings;
use quorum_store::{now_millis, Tx};
use uuid::Uuid;

use crate::app::AppState;
use crate::repository;
use crate::split;
use crate::transcribe;

pub(crate) const SUBSCRIPTION: Subscription = Subscription::new(
    "transcript.meeting_deleted.queue",
    &[(exchanges::MEETING, MEETING_DELETED)],
);
/// The consumer's name in the inbox.
pub(crate) const CONSUMER: &str = "transcript.meeting_deleted";

/// What the task store says about a job that was still running when its meeting went.
pub(crate) const DELETED: &str = "the meeting was deleted";

pub(crate) struct MeetingDeletion {
    state: AppState,
}

impl MeetingDeletion {
    pub(crate) fn consumer(state: AppState) -> Arc<Consumer<Self>> {
        Consumer::new(state.db.clone(), Self { state })
    }
}

/// What was deleted, for after the commit.
#[derive(Debug, Default)]
pub(crate) struct Removed {
    transcript: Option<Uuid>,
    /// The job's task, when the job was still open.
    open_task: Option<String>,
}

#[async_trait]
impl Apply for MeetingDeletion {
    type Outcome = Removed;

    fn name(&self) -> &'static str {
        CONSUMER
    }

    async fn apply(&self, tx: &mut Tx, envelope: &Envelope) -> Result<Removed, HandleError> {
        let d: MeetingDeleted = payload(envelope)?;
        let meeting = d.meeting_id;
        let now = now_millis();
        deleted_meetings::record(tx, meeting, now).await?;
        let mut removed = Removed::default();
        if let Some(id) = repository::id_for_meeting(tx, meeting).await? {
            // Writers of the transcript (corrections, shares) lock its row first: wait for
            // them, then take what they committed.
            repository::lock(tx, id, now).await?;
            repository::delete(tx, id).await?;
            removed.transcript = Some(id);
        }
        if let Some(job) = repository::job_for_meeting(tx, meeting).await? {
            repository::delete_job(tx, &job.task_id).await?;
            // Before the commit, so a failure (or a crash) is retried with the rest.
            let dir = split::job_dir(&self.state.chunks_dir, &job.task_id);
            match tokio::fs::remove_dir_all(&dir).await {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(HandleError::retry(format!(
                        "chunk directory {} not removed: {e}",
                        dir.display()
                    )));
                }
                _ => {}
            }
            if !job.status.is_settled() {
                removed.open_task = Some(job.task_id);
            }
        }
        tracing::info!(%meeting, transcript = ?removed.transcript,
            "a deleted meeting's transcript is gone");
        Ok(removed)
    }

    async fn committed(&self, removed: Removed) {
        if let Some(id) = removed.transcript {
            self.state.evict(id).await;
        }
        if let Some(task) = removed.open_task {
            transcribe::note(self.state.tasks.fail(&task, DELETED).await);
        }
    }
}
