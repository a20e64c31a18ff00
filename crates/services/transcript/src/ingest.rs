//! The `meeting.ended` consumer (`transcript.meeting.queue`): every ended meeting gets
//! exactly one transcript.
//!
//! Without a recording the transcript is built from the notes at once and
//! `transcript.created` is written in the same transaction as the inbox record. A meeting
//! with neither notes nor a recording still gets one: a `DRAFT` transcript with no sections
//! (language `en`), and `transcript.created` is still published so the meeting reaches
//! `MINUTES_READY` and the minutes pipeline is never stuck waiting.
//!
//! With a recording an `stt` task is created and a job is put on
//! `transcript.creation.queue` *before* the job row and the inbox record commit: if the
//! queue is full (backpressure) the transcript falls back to the notes immediately, with a
//! warning saying why, and the task fails with the same reason. A job whose row never
//! committed is dropped by the worker (see `transcribe.rs`).

use async_trait::async_trait;
use quorum_bus::{inbox_record, BusError, Delivery, Envelope, HandleError, Handler, Message};
use quorum_contracts::events::{MeetingEnded, MEETING_ENDED};
use quorum_store::now_millis;

use crate::app::AppState;
use crate::create::{self, Origin};
use crate::repository;
use crate::transcribe::{self, Job};

/// The queue `meeting.ended` arrives on.
pub(crate) const QUEUE: &str = "transcript.meeting.queue";
/// The consumer's name in the inbox.
pub(crate) const CONSUMER: &str = "transcript.meetings";

pub(crate) struct MeetingEndedHandler {
    state: AppState,
}

fn retry(e: impl std::fmt::Display) -> HandleError {
    HandleError::Retry(e.to_string())
}

impl MeetingEndedHandler {
    pub(crate) fn new(state: AppState) -> Self {
        Self { state }
    }

    async fn apply(&self, envelope: &Envelope, e: &MeetingEnded) -> Result<(), HandleError> {
        let state = &self.state;
        let mut tx = state.db.begin().await.map_err(retry)?;
        if !inbox_record(&mut tx, CONSUMER, envelope.id)
            .await
            .map_err(retry)?
        {
            tracing::debug!(event = %envelope.id, "duplicate meeting.ended skipped");
            return Ok(());
        }
        let has_transcript = repository::id_for_meeting(&mut tx, e.meeting_id)
            .await
            .map_err(retry)?
            .is_some();
        let has_job = repository::job_for_meeting(&mut tx, e.meeting_id)
            .await
            .map_err(retry)?
            .is_some();
        if has_transcript || has_job {
            tracing::info!(meeting = %e.meeting_id, "meeting already has a transcript");
            tx.commit().await.map_err(retry)?;
            return Ok(());
        }
        let audio = e.audio_file_url.as_deref().map(str::trim);
        let Some(url) = audio.filter(|u| !u.is_empty()) else {
            create::store(&state.outbox, &mut tx, e, Origin::notes(e, None, None))
                .await
                .map_err(retry)?;
            tx.commit().await.map_err(retry)?;
            state.outbox.committed();
            return Ok(());
        };
        let task = state
            .tasks
            .create(transcribe::TASK_KIND)
            .await
            .map_err(retry)?;
        let job = Job {
            task_id: task.task_id.clone(),
            meeting_id: e.meeting_id,
            audio_url: url.to_string(),
        };
        let body = serde_json::to_vec(&job).map_err(retry)?;
        let sent = state
            .broker
            .send(transcribe::QUEUE, Message::new(task.task_id.clone(), body))
            .await;
        match sent {
            Ok(()) => {
                repository::insert_job(&mut tx, &task.task_id, e, now_millis())
                    .await
                    .map_err(retry)?;
                tx.commit().await.map_err(retry)?;
                tracing::info!(meeting = %e.meeting_id, task = %task.task_id, "transcription queued");
                Ok(())
            }
            Err(BusError::QueueFull { max_length, .. }) => {
                let warning = format!(
                    "speech-to-text was not attempted: the transcription queue is full \
                     ({max_length} jobs waiting); the transcript was built from the meeting notes"
                );
                tracing::warn!(meeting = %e.meeting_id, "{warning}");
                let origin = Origin::notes(e, Some(warning.clone()), Some(task.task_id.clone()));
                create::store(&state.outbox, &mut tx, e, origin)
                    .await
                    .map_err(retry)?;
                tx.commit().await.map_err(retry)?;
                state.outbox.committed();
                transcribe::note(state.tasks.fail(&task.task_id, &warning).await);
                Ok(())
            }
            Err(other) => {
                let why = format!("the transcription job could not be queued: {other}");
                transcribe::note(state.tasks.fail(&task.task_id, &why).await);
                Err(HandleError::Retry(why))
            }
        }
    }
}

#[async_trait]
impl Handler for MeetingEndedHandler {
    async fn handle(&self, delivery: &dyn Delivery) -> Result<(), HandleError> {
        let envelope = Envelope::from_bytes(&delivery.message().body)
            .map_err(|e| HandleError::Reject(e.to_string()))?;
        if envelope.kind != MEETING_ENDED {
            tracing::debug!(kind = %envelope.kind, "meeting event ignored");
            return Ok(());
        }
        let event: MeetingEnded = envelope
            .data_as()
            .map_err(|e| HandleError::Reject(e.to_string()))?;
        self.apply(&envelope, &event).await
    }
}
