//! The speech-to-text work queue (`transcript.creation.queue`: at most 1000 messages, 1 h
//! TTL, 3 deliveries, then `transcript.creation.queue.dlq`) and its workers. One message is
//! one chunk of a recording (a stretch of speech of at most ~30 s).
//!
//! A worker reads the chunk's audio, calls the [`SpeechToText`](crate::SpeechToText)
//! engine, and settles the chunk row once (`PENDING → DONE`), so a redelivered chunk (a
//! worker killed mid-chunk) is redone without counting twice. Progress (chunks settled /
//! total) goes to the task and its SSE stream. A transient engine error is retried; a
//! permanent one, or the third failure, settles the chunk `FAILED` and dead-letters the
//! message. When the last chunk settles, the assembler builds the transcript (sections with
//! `startMs`/`endMs` and speakers; the failed stretches named in its warnings) under the
//! job's row lock, so exactly one assembly happens. If no chunk was heard as words (every
//! chunk failed, or the engine heard nothing), the transcript comes from the notes.
//!
//! Jobs take turns on the queue (`schedule.rs`): a job has at most `stt_window` chunks on it
//! at once, and each chunk that settles queues the job's next. Without an engine, chunks are
//! not queued: the job waits, and its task says how to enable speech-to-text; the sweeper
//! queues them once an engine is configured or the queue has room again.
//!
//! A job whose meeting was deleted is deleted with its chunks (`deletion.rs`): a chunk that
//! finishes afterwards finds no row to settle, and the assembler and the fallback check the
//! meeting's tombstone first in their transaction, so an assembly never writes a transcript
//! for a deleted meeting.

use std::time::Duration;

use async_trait::async_trait;
use quorum_bus::{Delivery, HandleError, Handler, QueueSpec};
use quorum_service::deleted_meetings;
use quorum_store::now_millis;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::app::AppState;
use crate::create::{self, Origin};
use crate::error::ApiError;
use crate::repository::{self, chunks, ChunkRecord, ChunkStatus, JobMode, JobRecord, JobStatus};
use crate::schedule;
use crate::split;
use crate::stt::{AudioChunk, SttError, UNCONFIGURED_MESSAGE};

pub(crate) const QUEUE: &str = "transcript.creation.queue";
pub(crate) const TASK_KIND: &str = "stt";
const MAX_LENGTH: u64 = 1000;
pub(crate) const TTL: Duration = Duration::from_secs(60 * 60);
const MAX_DELIVERIES: u32 = 3;
/// How often the sweeper (`schedule.rs`) tops up jobs and looks for expired ones.
pub(crate) const SWEEP_EVERY: Duration = Duration::from_secs(60);

pub(crate) fn queue_spec() -> QueueSpec {
    QueueSpec::new(QUEUE)
        .max_length(MAX_LENGTH)
        .ttl(TTL)
        .max_deliveries(MAX_DELIVERIES)
}

/// The message on the work queue: one chunk of a job.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ChunkJob {
    pub(crate) task_id: String,
    pub(crate) meeting_id: Uuid,
    pub(crate) index: u32,
}

/// Logs a task-store failure: task status is advisory (it expires, and the in-process
/// store forgets it on restart), so it never fails the job.
pub(crate) fn note<T>(result: Result<T, quorum_tasks::TaskError>) {
    if let Err(e) = result {
        tracing::debug!(error = %e, "speech-to-text task status not updated");
    }
}

/// The task's status: from the task store, or, when the store no longer has it (the
/// in-process store forgets tasks on restart), rebuilt from the job and its chunks.
pub(crate) async fn task_snapshot(
    state: &AppState,
    task_id: &str,
) -> Result<Option<quorum_tasks::Task>, ApiError> {
    if let Ok(Some(task)) = state.tasks.get(task_id).await {
        return Ok(Some(task));
    }
    let mut conn = state.db.reader().acquire().await?;
    let Some(job) = repository::job(&mut conn, task_id).await? else {
        return Ok(None);
    };
    if job.status.is_settled() {
        return Ok(None);
    }
    let (pending, done, failed) = chunks::counts(&mut conn, task_id).await?;
    let started = job.status == JobStatus::Running || done + failed > 0;
    let message = if state.stt.configured() {
        None
    } else {
        Some(format!(
            "waiting for a speech-to-text engine: {UNCONFIGURED_MESSAGE}"
        ))
    };
    Ok(Some(quorum_tasks::Task {
        task_id: task_id.to_string(),
        status: if started {
            quorum_tasks::TaskStatus::Processing
        } else {
            quorum_tasks::TaskStatus::Pending
        },
        created_at: chrono::Utc::now(),
        started_at: None,
        completed_at: None,
        progress: Some(quorum_tasks::Progress {
            done: done + failed,
            total: pending + done + failed,
        }),
        result: None,
        error_message: None,
        message,
    }))
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
    if deleted_meetings::is_deleted(&mut tx, job.meeting_id).await? {
        return Ok(false);
    }
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
    if job.mode == JobMode::Create {
        let origin = Origin::notes(
            &job.event,
            Some(warning.to_string()),
            Some(job.task_id.clone()),
        );
        create::store(&state.outbox, &mut tx, &job.event, origin).await?;
    }
    tx.commit().await?;
    state.outbox.committed();
    split::remove_dir(split::job_dir(&state.chunks_dir, &job.task_id)).await;
    Ok(true)
}

/// Assembles the job's transcript if every chunk is settled; exactly once, under the job's
/// row lock.
async fn assemble_if_complete(state: &AppState, task_id: &str) -> Result<(), ApiError> {
    let mut tx = state.db.begin().await?;
    let now = now_millis();
    // The tombstone before the job's row lock (the order every writer keeps).
    let job = repository::job(&mut tx, task_id).await?;
    let Some(meeting) = job.map(|j| j.meeting_id) else {
        return Ok(());
    };
    if deleted_meetings::is_deleted(&mut tx, meeting).await? {
        return Ok(());
    }
    if !repository::lock_open_job(&mut tx, task_id, now).await? {
        return Ok(());
    }
    let (pending, done, failed) = chunks::counts(&mut tx, task_id).await?;
    if pending > 0 {
        tx.rollback().await?;
        return Ok(());
    }
    let Some(job) = repository::job(&mut tx, task_id).await? else {
        return Ok(());
    };
    let all = chunks::of_job(&mut tx, task_id).await?;
    let total = done + failed;
    if !all.iter().any(has_words) {
        // Nothing heard: the notes are worth more than an empty transcript.
        tx.rollback().await?;
        let engine = state.stt.name();
        let warning = if done == 0 {
            let why = all
                .iter()
                .find_map(|c| c.error.clone())
                .unwrap_or_else(|| "no chunk could be transcribed".into());
            format!(
                "speech-to-text failed ({engine}): {why}; the transcript was built from the \
                 meeting notes"
            )
        } else {
            format!(
                "speech-to-text ({engine}) heard no words in the recordings; the transcript \
                 was built from the meeting notes"
            )
        };
        if fall_back(
            state,
            &job,
            &warning,
            &[JobStatus::Pending, JobStatus::Running],
        )
        .await?
        {
            note(state.tasks.fail(task_id, &warning).await);
        }
        return Ok(());
    }
    let origin = Origin::chunks(&job.event, &all, job.warnings.clone(), task_id.to_string());
    let sections = origin.sections.len();
    let missing = origin.warnings.len();
    let running = [JobStatus::Pending, JobStatus::Running];
    repository::set_job_status(&mut tx, task_id, &running, JobStatus::Done, None, now).await?;
    let (id, replaced) = match job.mode {
        JobMode::Create => (
            create::store(&state.outbox, &mut tx, &job.event, origin).await?,
            None,
        ),
        JobMode::Replace => match create::replaceable(&mut tx, job.meeting_id).await? {
            Some(old) => (
                create::replace(&state.outbox, &mut tx, &job.event, old, origin).await?,
                Some(old),
            ),
            None if repository::id_for_meeting(&mut tx, job.meeting_id)
                .await?
                .is_none() =>
            {
                (
                    create::store(&state.outbox, &mut tx, &job.event, origin).await?,
                    None,
                )
            }
            None => {
                tracing::info!(meeting = %job.meeting_id,
                    "the transcript was verified, corrected or shared meanwhile; it is kept");
                (None, None)
            }
        },
    };
    tx.commit().await?;
    state.outbox.committed();
    if let Some(old) = replaced {
        state.evict(old).await;
    }
    split::remove_dir(split::job_dir(&state.chunks_dir, task_id)).await;
    note(state.tasks.set_progress(task_id, total, total).await);
    let result = serde_json::json!({
        "transcriptId": id,
        "meetingId": job.meeting_id,
        "sections": sections,
        "chunks": total,
        "failedChunks": failed,
        "warnings": missing,
        "engine": state.stt.name(),
    });
    note(state.tasks.complete(task_id, result).await);
    tracing::info!(task = %task_id, meeting = %job.meeting_id, chunks = total, failed, "transcript assembled");
    Ok(())
}

/// Whether a chunk was transcribed into at least one word.
fn has_words(chunk: &ChunkRecord) -> bool {
    chunk.status == ChunkStatus::Done
        && chunk
            .result
            .as_ref()
            .is_some_and(|r| r.segments.iter().any(|s| !s.text.trim().is_empty()))
}

pub(crate) struct SttHandler {
    state: AppState,
}

impl SttHandler {
    pub(crate) fn new(state: AppState) -> Self {
        Self { state }
    }

    /// Records progress after a chunk settled, then queues the job's next chunk, or assembles
    /// if it was the last.
    async fn settled(&self, task_id: &str) -> Result<(), HandleError> {
        let state = &self.state;
        let mut conn = state.db.reader().acquire().await?;
        let (pending, done, failed) = chunks::counts(&mut conn, task_id).await?;
        drop(conn);
        note(
            state
                .tasks
                .set_progress(task_id, done + failed, pending + done + failed)
                .await,
        );
        if pending == 0 {
            assemble_if_complete(state, task_id).await?;
        } else {
            schedule::enqueue(state, task_id).await;
        }
        Ok(())
    }

    async fn read_audio(&self, path: String) -> Result<AudioChunk, SttError> {
        let pcm = tokio::task::spawn_blocking(move || {
            quorum_audio::read_wav(std::path::Path::new(&path))
        })
        .await
        .map_err(|e| SttError::Unavailable(e.to_string()))?
        .map_err(|e| SttError::InvalidAudio(format!("chunk audio: {e}")))?;
        Ok(AudioChunk {
            samples: pcm.samples.into(),
            language: self.state.language.clone(),
        })
    }
}

#[async_trait]
impl Handler for SttHandler {
    async fn handle(&self, delivery: &dyn Delivery) -> Result<(), HandleError> {
        let job: ChunkJob = serde_json::from_slice(&delivery.message().body)
            .map_err(|e| HandleError::Reject(format!("malformed job: {e}")))?;
        let state = &self.state;
        let last = delivery.delivery_count() >= MAX_DELIVERIES;
        let mut conn = state.db.reader().acquire().await?;
        let chunk = chunks::get(&mut conn, &job.task_id, job.index).await?;
        let row = repository::job(&mut conn, &job.task_id).await?;
        drop(conn);
        let (Some(chunk), Some(row)) = (chunk, row) else {
            // The job was replaced or never committed: nothing to do.
            return Ok(());
        };
        if chunk.status != ChunkStatus::Pending || row.status.is_settled() {
            return Ok(());
        }
        if !state.stt.configured() {
            // The engine went away after the chunk was queued: wait for one.
            let mut conn = state.db.writer().acquire().await?;
            chunks::set_queued(&mut conn, &row.task_id, chunk.index, None).await?;
            repository::set_enqueued(&mut conn, &row.task_id, false, now_millis()).await?;
            drop(conn);
            schedule::enqueue(state, &row.task_id).await;
            return Ok(());
        }
        if row.status == JobStatus::Pending {
            let mut conn = state.db.writer().acquire().await?;
            repository::set_job_status(
                &mut conn,
                &row.task_id,
                &[JobStatus::Pending],
                JobStatus::Running,
                None,
                now_millis(),
            )
            .await?;
        }
        note(state.tasks.mark_processing(&row.task_id).await);
        let started = std::time::Instant::now();
        let heard = match self.read_audio(chunk.path.clone()).await {
            Ok(audio) => state.stt.transcribe(audio).await,
            Err(e) => Err(e),
        };
        metrics::histogram!("quorum_stt_chunk_seconds", "engine" => state.stt.name().to_string())
            .record(started.elapsed().as_secs_f64());
        match heard {
            Ok(output) => {
                let mut conn = state.db.writer().acquire().await?;
                chunks::settle_done(&mut conn, &row.task_id, chunk.index, &output, now_millis())
                    .await?;
                drop(conn);
                self.settled(&row.task_id).await
            }
            Err(e) if e.is_transient() && !last => Err(HandleError::retry(e)),
            Err(e) => {
                let message = e.to_string();
                tracing::warn!(task = %row.task_id, chunk = chunk.index, error = %message, "chunk failed for good");
                let mut conn = state.db.writer().acquire().await?;
                chunks::settle_failed(&mut conn, &row.task_id, chunk.index, &message, now_millis())
                    .await?;
                drop(conn);
                self.settled(&row.task_id).await?;
                Err(HandleError::Reject(message))
            }
        }
    }
}
