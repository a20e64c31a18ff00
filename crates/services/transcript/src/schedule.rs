//! Meetings take turns with the speech-to-text workers. A job never has more than
//! `transcript.stt_window` of its chunks on `transcript.creation.queue` at once; each chunk
//! that settles makes room for the job's next one, which joins the back of the queue. A
//! meeting that ends while a four-hour recording is being transcribed therefore waits for at
//! most a window of that recording's chunks, not all of them, and no job can fill the queue.
//!
//! A chunk's `queued_at` says it is on the queue. It is set after the broker took the
//! message, so a crash in between sends the chunk again (a chunk settles once, so a second
//! message changes nothing) and never loses it. The sweeper (at start, then every minute)
//! tops up every open job — the refill a crash interrupted, a job that found the queue full —
//! queues again chunks whose message expired or was dead-lettered unsettled, and falls back
//! to the notes for jobs that never started within the queue's TTL.

use quorum_bus::{BusError, Message};
use quorum_store::now_millis;
use tokio_util::sync::CancellationToken;

use crate::app::AppState;
use crate::error::ApiError;
use crate::repository::{self, chunks, JobStatus};
use crate::stt::UNCONFIGURED_MESSAGE;
use crate::transcribe::{fall_back, note, ChunkJob, QUEUE, SWEEP_EVERY, TTL};

/// Tops up the job's share of the work queue; leaves it waiting (with a task message saying
/// why) when there is no engine or no room.
pub(crate) async fn enqueue(state: &AppState, task_id: &str) {
    if let Err(e) = top_up(state, task_id).await {
        tracing::warn!(task = %task_id, error = %e, "speech-to-text chunks not queued yet; retried by the sweeper");
    }
}

async fn top_up(state: &AppState, task_id: &str) -> Result<(), ApiError> {
    if !state.stt.configured() {
        let why = match state.stt.ready().await {
            Err(e) => e.to_string(),
            Ok(()) => UNCONFIGURED_MESSAGE.to_string(),
        };
        let message = format!("waiting for a speech-to-text engine: {why}");
        note(state.tasks.set_message(task_id, Some(&message)).await);
        tracing::warn!(task = %task_id, "a recording waits: speech-to-text is not configured");
        return Ok(());
    }
    let mut conn = state.db.reader().acquire().await?;
    let Some(job) = repository::job(&mut conn, task_id).await? else {
        return Ok(());
    };
    if job.status.is_settled() {
        return Ok(());
    }
    let room = state
        .stt_window
        .saturating_sub(chunks::in_flight(&mut conn, task_id).await?);
    let next = chunks::waiting(&mut conn, task_id, room).await?;
    drop(conn);
    for index in next {
        let job = ChunkJob {
            task_id: task_id.to_string(),
            meeting_id: job.meeting_id,
            index,
        };
        let body = serde_json::to_vec(&job).map_err(|e| ApiError::corrupt(e.to_string()))?;
        let message = Message::new(format!("{task_id}#{index}"), body);
        match state.broker.send(QUEUE, message).await {
            Ok(()) => {}
            Err(BusError::QueueFull { max_length, .. }) => {
                let message = format!(
                    "waiting: the transcription queue is full ({max_length} chunks); the \
                     recording is queued as soon as there is room"
                );
                note(state.tasks.set_message(task_id, Some(&message)).await);
                return Ok(());
            }
            Err(e) => return Err(e.into()),
        }
        let mut conn = state.db.writer().acquire().await?;
        chunks::set_queued(&mut conn, task_id, index, Some(now_millis())).await?;
    }
    let mut conn = state.db.writer().acquire().await?;
    if repository::first_enqueued(&mut conn, task_id, now_millis()).await? {
        note(state.tasks.set_message(task_id, None).await);
    }
    Ok(())
}

/// At start and then every minute: see the module's documentation.
pub(crate) fn spawn_sweeper(
    state: AppState,
    shutdown: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    tokio::spawn(async move {
        loop {
            if let Err(e) = sweep(&state).await {
                tracing::warn!(error = %e, "speech-to-text sweep failed");
            }
            tokio::select! {
                () = shutdown.cancelled() => return,
                () = tokio::time::sleep(SWEEP_EVERY) => {}
            }
        }
    })
}

async fn sweep(state: &AppState) -> Result<(), ApiError> {
    let grace = i64::try_from((TTL + SWEEP_EVERY).as_millis()).unwrap_or(i64::MAX);
    let before = now_millis().saturating_sub(grace);
    let mut conn = state.db.reader().acquire().await?;
    let stale = repository::stale_jobs(&mut conn, before).await?;
    drop(conn);
    for job in stale {
        let warning = "speech-to-text did not start within 1 hour (the job expired in the \
                       queue); the transcript was built from the meeting notes";
        if fall_back(state, &job, warning, &[JobStatus::Pending]).await? {
            note(state.tasks.fail(&job.task_id, warning).await);
        }
    }
    let mut conn = state.db.writer().acquire().await?;
    let lost = chunks::requeue_older(&mut conn, before).await?;
    drop(conn);
    if lost > 0 {
        tracing::warn!(
            chunks = lost,
            "speech-to-text chunks whose message expired are queued again"
        );
    }
    let mut conn = state.db.reader().acquire().await?;
    let open = repository::open_jobs(&mut conn).await?;
    drop(conn);
    for job in open {
        enqueue(state, &job.task_id).await;
    }
    Ok(())
}
