//! The meeting consumer (`transcript.meeting.queue`): every ended meeting gets exactly one
//! transcript, and a recording that arrives later still gets transcribed.
//!
//! `meeting.ended` without a recording: the transcript is built from the notes at once and
//! `transcript.created` is written in the same transaction as the inbox record. A meeting
//! with neither notes nor a recording still gets one: a `DRAFT` transcript with no sections,
//! so the minutes pipeline is never stuck waiting.
//!
//! With recordings (one track per participant), the tracks are decoded and cut into chunks
//! at pauses (`split.rs`), and the job, its chunks and the inbox record commit together. Then
//! the chunks are put on `transcript.creation.queue` a window at a time (`schedule.rs`); if
//! that cannot happen now (no engine, a full queue, a crash in between), the sweeper tries
//! again.
//!
//! `meeting.recording_added` (an upload after the end) adds the new tracks to a job still
//! running, or re-transcribes every track of the meeting when its transcript has not been
//! verified, corrected or shared yet; otherwise the transcript people already worked on is
//! kept.
//!
//! A deleted meeting (its tombstone, see `deletion.rs`) gets nothing: each transaction that
//! would write a transcript, a job or chunks checks it first, and only the inbox row is
//! written; chunks already cut to disk for it are removed.

use async_trait::async_trait;
use quorum_bus::{begin_once, Delivery, Envelope, HandleError, Handler, Subscription};
use quorum_contracts::events::{
    MeetingEnded, RecordingRef, MEETING_ENDED, MEETING_RECORDING_ADDED,
};
use quorum_contracts::exchanges;
use quorum_service::deleted_meetings;
use quorum_store::now_millis;

use crate::app::AppState;
use crate::create::{self, Origin};
use crate::repository::{self, chunks, ChunkRecord, ChunkStatus, JobMode, JobRecord};
use crate::split::{self, Plan};
use crate::{schedule, transcribe};

/// The queue meeting events arrive on.
pub(crate) const SUBSCRIPTION: Subscription = Subscription::new(
    "transcript.meeting.queue",
    &[
        (exchanges::MEETING, MEETING_ENDED),
        (exchanges::MEETING, MEETING_RECORDING_ADDED),
    ],
);
/// The consumer's name in the inbox.
pub(crate) const CONSUMER: &str = "transcript.meetings";

pub(crate) struct MeetingEndedHandler {
    state: AppState,
}

/// What an event leads to, decided on a reader before the (slow) decoding.
enum Decision {
    /// Nothing to do (already handled, or people worked on the transcript already).
    Skip(&'static str),
    /// No recording: the transcript comes from the notes.
    Notes,
    /// The meeting's first transcript, from these tracks.
    Create(Vec<RecordingRef>),
    /// A new transcript from every track, replacing the one made before (`old`, if any).
    Replace(Vec<RecordingRef>, Option<JobRecord>),
    /// New tracks for a job still running.
    Extend(JobRecord, Vec<RecordingRef>),
}

impl MeetingEndedHandler {
    pub(crate) fn new(state: AppState) -> Self {
        Self { state }
    }

    async fn decide(&self, e: &MeetingEnded, added: bool) -> Result<Decision, HandleError> {
        let mut conn = self.state.db.reader().acquire().await?;
        if deleted_meetings::is_deleted(&mut conn, e.meeting_id).await? {
            return Ok(Decision::Skip("the meeting was deleted"));
        }
        let transcript = repository::id_for_meeting(&mut conn, e.meeting_id).await?;
        let job = repository::job_for_meeting(&mut conn, e.meeting_id).await?;
        let recordings = split::recordings_of(e);
        if !added {
            return Ok(if transcript.is_some() || job.is_some() {
                Decision::Skip("the meeting already has a transcript")
            } else if recordings.is_empty() {
                Decision::Notes
            } else {
                Decision::Create(recordings)
            });
        }
        match job {
            Some(job) if !job.status.is_settled() => {
                let known = chunks::recordings_of(&mut conn, &job.task_id).await?;
                let new: Vec<RecordingRef> = recordings
                    .into_iter()
                    .filter(|r| !known.contains(&r.recording_id))
                    .collect();
                Ok(if new.is_empty() {
                    Decision::Skip("every track is already being transcribed")
                } else {
                    Decision::Extend(job, new)
                })
            }
            job if transcript.is_none() => Ok(Decision::Replace(recordings, job)),
            job => {
                drop(conn);
                let mut tx = self.state.db.begin().await?;
                let open = create::replaceable(&mut tx, e.meeting_id).await?;
                tx.rollback().await?;
                Ok(match open {
                    Some(_) => Decision::Replace(recordings, job),
                    None => Decision::Skip(
                        "the transcript was already verified, corrected or shared; it is kept",
                    ),
                })
            }
        }
    }

    /// Decodes and cuts `recordings` into the job's chunk directory.
    async fn plan(
        &self,
        task_id: &str,
        recordings: Vec<RecordingRef>,
    ) -> Result<Plan, HandleError> {
        let dir = split::job_dir(&self.state.chunks_dir, task_id);
        let chunking = self.state.chunking.clone();
        tokio::task::spawn_blocking(move || split::plan(&dir, &recordings, &chunking))
            .await
            .map_err(HandleError::retry)
    }

    async fn apply(
        &self,
        envelope: &Envelope,
        e: &MeetingEnded,
        added: bool,
    ) -> Result<(), HandleError> {
        let state = &self.state;
        let decision = self.decide(e, added).await?;
        let (recordings, mode, previous) = match decision {
            Decision::Skip(why) => {
                tracing::info!(meeting = %e.meeting_id, "{why}");
                return self.record_only(envelope).await;
            }
            Decision::Notes => return self.create_from_notes(envelope, e).await,
            Decision::Create(r) => (r, JobMode::Create, None),
            Decision::Replace(r, old) => (r, JobMode::Replace, old),
            Decision::Extend(job, r) => return self.extend(envelope, e, job, r).await,
        };
        let task = state
            .tasks
            .create(transcribe::TASK_KIND)
            .await
            .map_err(HandleError::retry)?;
        let plan = self.plan(&task.task_id, recordings).await?;
        let dir = split::job_dir(&state.chunks_dir, &task.task_id);
        let outcome = self
            .commit_job(envelope, e, &task.task_id, mode, previous, &plan)
            .await;
        match outcome {
            Ok(true) => {
                tracing::info!(meeting = %e.meeting_id, task = %task.task_id,
                    chunks = plan.chunks.len(), "transcription planned");
                schedule::enqueue(state, &task.task_id).await;
                Ok(())
            }
            Ok(false) => {
                split::remove_dir(dir).await;
                Ok(())
            }
            Err(err) => {
                split::remove_dir(dir).await;
                transcribe::note(
                    state
                        .tasks
                        .fail(&task.task_id, "the job was not recorded")
                        .await,
                );
                Err(err)
            }
        }
    }

    /// Writes the job and its chunks with the inbox record. `false` when nothing was
    /// planned (a duplicate event, a transcript that appeared meanwhile, no speech).
    async fn commit_job(
        &self,
        envelope: &Envelope,
        e: &MeetingEnded,
        task_id: &str,
        mode: JobMode,
        previous: Option<JobRecord>,
        plan: &Plan,
    ) -> Result<bool, HandleError> {
        let state = &self.state;
        let Some(mut tx) = begin_once(&state.db, CONSUMER, envelope.id).await? else {
            transcribe::note(state.tasks.fail(task_id, "duplicate event").await);
            return Ok(false);
        };
        if deleted_meetings::is_deleted(&mut tx, e.meeting_id).await? {
            tx.commit().await?;
            transcribe::note(state.tasks.fail(task_id, crate::deletion::DELETED).await);
            return Ok(false);
        }
        let replaced = match mode {
            JobMode::Create => {
                let exists = repository::id_for_meeting(&mut tx, e.meeting_id)
                    .await?
                    .is_some()
                    || repository::job_for_meeting(&mut tx, e.meeting_id)
                        .await?
                        .is_some();
                if exists {
                    tx.commit().await?;
                    transcribe::note(
                        state
                            .tasks
                            .fail(task_id, "the meeting already has a transcript")
                            .await,
                    );
                    return Ok(false);
                }
                None
            }
            JobMode::Replace => {
                let current = repository::job_for_meeting(&mut tx, e.meeting_id).await?;
                let same =
                    current.as_ref().map(|j| &j.task_id) == previous.as_ref().map(|j| &j.task_id);
                if !same || current.as_ref().is_some_and(|j| !j.status.is_settled()) {
                    return Err(HandleError::Retry(
                        "the meeting's job changed meanwhile".into(),
                    ));
                }
                if let Some(old) = current {
                    repository::delete_job(&mut tx, &old.task_id).await?;
                }
                create::replaceable(&mut tx, e.meeting_id).await?
            }
        };
        if plan.chunks.is_empty() {
            let mut why = plan.warnings.join("; ");
            if why.is_empty() {
                why = "the recordings contain no speech".into();
            }
            if mode == JobMode::Create {
                let warning = format!("{why}; the transcript was built from the meeting notes");
                let origin = Origin::notes(e, Some(warning), Some(task_id.to_string()));
                create::store(&state.outbox, &mut tx, e, origin).await?;
            }
            tx.commit().await?;
            state.outbox.committed();
            transcribe::note(state.tasks.fail(task_id, &why).await);
            return Ok(false);
        }
        let now = now_millis();
        let total = u64::try_from(plan.chunks.len()).unwrap_or(u64::MAX);
        repository::insert_job(&mut tx, task_id, e, mode, total, &plan.warnings, now).await?;
        insert_chunks(&mut tx, task_id, 0, plan, now).await?;
        tx.commit().await?;
        if let Some(old) = replaced {
            tracing::info!(meeting = %e.meeting_id, transcript = %old,
                "the transcript will be replaced by one from the recordings");
        }
        Ok(true)
    }

    async fn extend(
        &self,
        envelope: &Envelope,
        e: &MeetingEnded,
        mut job: JobRecord,
        recordings: Vec<RecordingRef>,
    ) -> Result<(), HandleError> {
        let state = &self.state;
        let plan = self.plan(&job.task_id, recordings).await?;
        let Some(mut tx) = begin_once(&state.db, CONSUMER, envelope.id).await? else {
            return Ok(());
        };
        if deleted_meetings::is_deleted(&mut tx, e.meeting_id).await? {
            tx.commit().await?;
            // The deletion removed the job's directory; these chunks were cut after it.
            split::remove_dir(split::job_dir(&state.chunks_dir, &job.task_id)).await;
            return Ok(());
        }
        let now = now_millis();
        if !repository::lock_open_job(&mut tx, &job.task_id, now).await? {
            // It was assembled meanwhile: decide again (this time it is replaced).
            return Err(HandleError::Retry("the job finished meanwhile".into()));
        }
        let next = chunks::last_index(&mut tx, &job.task_id)
            .await?
            .map_or(0, |i| i + 1);
        insert_chunks(&mut tx, &job.task_id, next, &plan, now).await?;
        job.event = e.clone();
        let added = u64::try_from(plan.chunks.len()).unwrap_or(u64::MAX);
        repository::grow_job(&mut tx, &job, added, &plan.warnings).await?;
        tx.commit().await?;
        tracing::info!(meeting = %e.meeting_id, task = %job.task_id, added, "tracks added to the job");
        schedule::enqueue(state, &job.task_id).await;
        Ok(())
    }

    async fn record_only(&self, envelope: &Envelope) -> Result<(), HandleError> {
        if let Some(tx) = begin_once(&self.state.db, CONSUMER, envelope.id).await? {
            tx.commit().await?;
        }
        Ok(())
    }

    async fn create_from_notes(
        &self,
        envelope: &Envelope,
        e: &MeetingEnded,
    ) -> Result<(), HandleError> {
        let state = &self.state;
        let Some(mut tx) = begin_once(&state.db, CONSUMER, envelope.id).await? else {
            return Ok(());
        };
        if deleted_meetings::is_deleted(&mut tx, e.meeting_id).await? {
            tracing::info!(meeting = %e.meeting_id, "the meeting was deleted; no transcript");
            tx.commit().await?;
            return Ok(());
        }
        create::store(&state.outbox, &mut tx, e, Origin::notes(e, None, None)).await?;
        tx.commit().await?;
        state.outbox.committed();
        Ok(())
    }
}

async fn insert_chunks(
    tx: &mut quorum_store::Tx,
    task_id: &str,
    first: u32,
    plan: &Plan,
    now: i64,
) -> Result<(), HandleError> {
    for (index, c) in (first..).zip(&plan.chunks) {
        let record = ChunkRecord {
            task_id: task_id.to_string(),
            index,
            recording_id: c.recording_id,
            speaker_id: c.speaker_id,
            start_ms: c.start_ms,
            end_ms: c.end_ms,
            path: c.path.display().to_string(),
            status: ChunkStatus::Pending,
            result: None,
            error: None,
        };
        chunks::insert(tx, &record, now).await?;
    }
    Ok(())
}

#[async_trait]
impl Handler for MeetingEndedHandler {
    async fn handle(&self, delivery: &dyn Delivery) -> Result<(), HandleError> {
        let envelope =
            Envelope::from_bytes(&delivery.message().body).map_err(HandleError::reject)?;
        let added = match envelope.kind.as_str() {
            MEETING_ENDED => false,
            MEETING_RECORDING_ADDED => true,
            other => {
                tracing::debug!(kind = %other, "meeting event ignored");
                return Ok(());
            }
        };
        let event: MeetingEnded = envelope.data_as().map_err(HandleError::reject)?;
        self.apply(&envelope, &event, added).await
    }
}
