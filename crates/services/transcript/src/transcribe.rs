//! The speech-to-text work queue (`transcript.creation.queue`: at most 1000 jobs, 1 h TTL,
//! 3 deliveries, then `transcript.creation.queue.dlq`) and its workers.
//!
//! A worker claims the job row (`PENDING → RUNNING`), marks the task `PROCESSING`, and calls
//! the [`SpeechToText`](crate::SpeechToText) engine. On success the transcript is built from
//! the segments (`source: RECORDING`) and the task completes with progress and a result. A
//! transient engine error is retried; a permanent one, or the third failure, falls back to
//! the notes with a warning, fails the task with the engine's message, and dead-letters the
//! job. Jobs that expire in the queue (1 h) are found by a sweeper that applies the same
//! fallback, so every ended meeting gets its transcript.

use std::time::Duration;

use async_trait::async_trait;
use quorum_bus::{Delivery, HandleError, Handler, QueueSpec};
use quorum_store::now_millis;
use serde::{Deserialize, Serialize};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::app::AppState;
use crate::create::{self, Origin};
use crate::error::ApiError;
use crate::repository::{self, JobRecord, JobStatus};
use crate::stt::AudioRef;

pub(crate) const QUEUE: &str = "transcript.creation.queue";
pub(crate) const TASK_KIND: &str = "stt";
const MAX_LENGTH: u64 = 1000;
const TTL: Duration = Duration::from_secs(60 * 60);
const MAX_DELIVERIES: u32 = 3;
/// How often the sweeper looks for expired jobs.
const SWEEP_EVERY: Duration = Duration::from_secs(60);

pub(crate) fn queue_spec() -> QueueSpec {
    QueueSpec::new(QUEUE)
        .max_length(MAX_LENGTH)
        .ttl(TTL)
        .max_deliveries(MAX_DELIVERIES)
}

/// The message on the work queue.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Job {
    pub(crate) task_id: String,
    pub(crate) meeting_id: Uuid,
    pub(crate) audio_url: String,
}

/// Logs a task-store failure: task status is advisory (it expires, and the in-process
/// store forgets it on restart), so it never fails the job.
pub(crate) fn note<T>(result: Result<T, quorum_tasks::TaskError>) {
    if let Err(e) = result {
        tracing::warn!(error = %e, "speech-to-text task status not updated");
    }
}

fn retry(e: impl std::fmt::Display) -> HandleError {
    HandleError::Retry(e.to_string())
}

/// Builds the transcript from the notes with `warning` and settles the job `FAILED`, if it
/// is still in one of `from`. `false` when someone else settled it first.
pub(crate) async fn fall_back(
    state: &AppState,
    job: &JobRecord,
    warning: &str,
    from: &[JobStatus],
) -> Result<bool, ApiError> {
    let mut tx = state.db.begin().await?;
    let now = now_millis();
    let moved = repository::set_job_status(
        &mut tx,
        &job.task_id,
        from,
        JobStatus::Failed,
        Some(warning),
        now,
    )
    .await?;
    if !moved {
        return Ok(false);
    }
    let origin = Origin::notes(
        &job.event,
        Some(warning.to_string()),
        Some(job.task_id.clone()),
    );
    create::store(&state.outbox, &mut tx, &job.event, origin).await?;
    tx.commit().await?;
    state.outbox.committed();
    Ok(true)
}

pub(crate) struct SttHandler {
    state: AppState,
}

impl SttHandler {
    pub(crate) fn new(state: AppState) -> Self {
        Self { state }
    }

    /// The job row, or what to do when it is missing.
    async fn job_row(&self, job: &Job, last: bool) -> Result<Option<JobRecord>, HandleError> {
        let mut conn = self.state.db.reader().acquire().await.map_err(retry)?;
        if let Some(row) = repository::job(&mut conn, &job.task_id)
            .await
            .map_err(retry)?
        {
            return Ok(Some(row));
        }
        let superseded = repository::id_for_meeting(&mut conn, job.meeting_id)
            .await
            .map_err(retry)?
            .is_some();
        if superseded || last {
            let why = "the transcription job was abandoned: its meeting was handled by another job";
            note(self.state.tasks.fail(&job.task_id, why).await);
            return if superseded {
                Ok(None)
            } else {
                Err(HandleError::Reject(why.into()))
            };
        }
        Err(HandleError::Retry("the job is not recorded yet".into()))
    }

    async fn succeed(
        &self,
        row: &JobRecord,
        segments: Vec<crate::SttSegment>,
    ) -> Result<(), ApiError> {
        let state = &self.state;
        let n = u64::try_from(segments.len()).unwrap_or(u64::MAX);
        note(state.tasks.set_progress(&row.task_id, 0, n).await);
        let mut tx = state.db.begin().await?;
        let running = [JobStatus::Running];
        let moved = repository::set_job_status(
            &mut tx,
            &row.task_id,
            &running,
            JobStatus::Done,
            None,
            now_millis(),
        )
        .await?;
        if !moved {
            return Ok(());
        }
        let origin = Origin::recording(&row.event, segments, row.task_id.clone());
        let sections = origin.sections.len();
        let id = create::store(&state.outbox, &mut tx, &row.event, origin).await?;
        tx.commit().await?;
        state.outbox.committed();
        note(state.tasks.set_progress(&row.task_id, n, n).await);
        let result = serde_json::json!({
            "transcriptId": id,
            "meetingId": row.meeting_id,
            "sections": sections,
            "segments": n,
            "engine": state.stt.name(),
        });
        note(state.tasks.complete(&row.task_id, result).await);
        Ok(())
    }
}

#[async_trait]
impl Handler for SttHandler {
    async fn handle(&self, delivery: &dyn Delivery) -> Result<(), HandleError> {
        let job: Job = serde_json::from_slice(&delivery.message().body)
            .map_err(|e| HandleError::Reject(format!("malformed job: {e}")))?;
        let last = delivery.delivery_count() >= MAX_DELIVERIES;
        let Some(row) = self.job_row(&job, last).await? else {
            return Ok(());
        };
        if row.status.is_settled() {
            return Ok(());
        }
        let state = &self.state;
        let claimable = [JobStatus::Pending, JobStatus::Running];
        let mut conn = state.db.writer().acquire().await.map_err(retry)?;
        let claimed = repository::set_job_status(
            &mut conn,
            &row.task_id,
            &claimable,
            JobStatus::Running,
            None,
            now_millis(),
        )
        .await
        .map_err(retry)?;
        drop(conn);
        if !claimed {
            return Ok(());
        }
        note(state.tasks.mark_processing(&row.task_id).await);
        let audio = AudioRef {
            url: job.audio_url.clone(),
            meeting_id: row.meeting_id,
        };
        match state.stt.transcribe(audio).await {
            Ok(segments) => self.succeed(&row, segments).await.map_err(retry),
            Err(e) if e.is_transient() && !last => Err(retry(e)),
            Err(e) => {
                let message = e.to_string();
                let warning = format!(
                    "speech-to-text failed ({}): {message}; the transcript was built from the \
                     meeting notes",
                    state.stt.name()
                );
                fall_back(state, &row, &warning, &[JobStatus::Running])
                    .await
                    .map_err(retry)?;
                note(state.tasks.fail(&row.task_id, &message).await);
                Err(HandleError::Reject(message))
            }
        }
    }
}

/// Every minute, falls back to the notes for jobs that were never started and whose
/// message has expired from the queue.
pub(crate) fn spawn_sweeper(
    state: AppState,
    shutdown: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(SWEEP_EVERY) => {}
            }
            if let Err(e) = sweep(&state).await {
                tracing::warn!(error = %e, "speech-to-text sweep failed");
            }
        }
    })
}

async fn sweep(state: &AppState) -> Result<(), ApiError> {
    let grace = i64::try_from((TTL + SWEEP_EVERY).as_millis()).unwrap_or(i64::MAX);
    let mut conn = state.db.reader().acquire().await?;
    let stale = repository::stale_jobs(&mut conn, now_millis().saturating_sub(grace)).await?;
    drop(conn);
    for job in stale {
        let warning = "speech-to-text did not start within 1 hour (the job expired in the \
                       queue); the transcript was built from the meeting notes";
        if fall_back(state, &job, warning, &[JobStatus::Pending]).await? {
            note(state.tasks.fail(&job.task_id, warning).await);
        }
    }
    Ok(())
}
