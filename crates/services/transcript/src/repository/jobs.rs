//! SQL for speech-to-text jobs.

use quorum_contracts::events::MeetingEnded;
use quorum_store::sqlx::{self, any::AnyRow, AnyConnection, Row};
use uuid::Uuid;

use super::{json, to_json, uuid};
use quorum_service::Failure;

/// Where a job is: `PENDING` (queued) → `RUNNING` (a worker took it) → `DONE` (transcript
/// from the recording) or `FAILED` (transcript from the notes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobStatus {
    Pending,
    Running,
    Done,
    Failed,
}

impl JobStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Running => "RUNNING",
            Self::Done => "DONE",
            Self::Failed => "FAILED",
        }
    }

    fn parse(raw: &str) -> Result<Self, Failure> {
        Ok(match raw {
            "PENDING" => Self::Pending,
            "RUNNING" => Self::Running,
            "DONE" => Self::Done,
            "FAILED" => Self::Failed,
            other => return Err(Failure::corrupt(format!("job status `{other}`"))),
        })
    }

    pub(crate) fn is_settled(self) -> bool {
        matches!(self, Self::Done | Self::Failed)
    }
}

/// What the job's transcript does when assembled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JobMode {
    /// The meeting's first transcript.
    Create,
    /// Replaces the sections of a transcript made from the notes (a recording arrived after
    /// the meeting ended).
    Replace,
}

impl JobMode {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Create => "CREATE",
            Self::Replace => "REPLACE",
        }
    }

    fn parse(raw: &str) -> Result<Self, Failure> {
        Ok(match raw {
            "CREATE" => Self::Create,
            "REPLACE" => Self::Replace,
            other => return Err(Failure::corrupt(format!("job mode `{other}`"))),
        })
    }
}

/// A speech-to-text job: the task clients follow, the event it came from, and its chunks'
/// bookkeeping. (Its `enqueued` column is 0 while its chunks wait to be put on the work
/// queue: no engine yet, the queue was full, or the process stopped in between.)
#[derive(Debug, Clone)]
pub(crate) struct JobRecord {
    pub(crate) task_id: String,
    pub(crate) meeting_id: Uuid,
    pub(crate) event: MeetingEnded,
    pub(crate) status: JobStatus,
    pub(crate) mode: JobMode,
    /// Problems met while preparing the chunks (a track that could not be decoded, …).
    pub(crate) warnings: Vec<String>,
}

const COLS: &str = "task_id, meeting_id, event, status, mode, warnings";

fn job_from_row(row: &AnyRow) -> Result<JobRecord, Failure> {
    Ok(JobRecord {
        task_id: row.try_get("task_id")?,
        meeting_id: uuid(&row.try_get::<String, _>("meeting_id")?)?,
        event: json(&row.try_get::<String, _>("event")?, "job event")?,
        status: JobStatus::parse(&row.try_get::<String, _>("status")?)?,
        mode: JobMode::parse(&row.try_get::<String, _>("mode")?)?,
        warnings: json(&row.try_get::<String, _>("warnings")?, "job warnings")?,
    })
}

/// A new `PENDING` job, not yet enqueued.
pub(crate) async fn insert_job(
    conn: &mut AnyConnection,
    task_id: &str,
    event: &MeetingEnded,
    mode: JobMode,
    total_chunks: u64,
    warnings: &[String],
    now: i64,
) -> Result<(), Failure> {
    sqlx::query(
        "INSERT INTO stt_jobs (task_id, meeting_id, event, status, mode, enqueued, \
         total_chunks, warnings, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 0, $6, $7, $8, $8)",
    )
    .bind(task_id)
    .bind(event.meeting_id.to_string())
    .bind(to_json(event)?)
    .bind(JobStatus::Pending.as_str())
    .bind(mode.as_str())
    .bind(i64::try_from(total_chunks).unwrap_or(i64::MAX))
    .bind(to_json(&warnings)?)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Removes a settled job and its chunks (a new recording replaces its transcript).
pub(crate) async fn delete_job(conn: &mut AnyConnection, task_id: &str) -> Result<(), Failure> {
    sqlx::query("DELETE FROM stt_chunks WHERE task_id = $1")
        .bind(task_id)
        .execute(&mut *conn)
        .await?;
    sqlx::query("DELETE FROM stt_jobs WHERE task_id = $1")
        .bind(task_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Marks whether the job's chunks are on the work queue.
pub(crate) async fn set_enqueued(
    conn: &mut AnyConnection,
    task_id: &str,
    enqueued: bool,
    now: i64,
) -> Result<(), Failure> {
    sqlx::query("UPDATE stt_jobs SET enqueued = $1, updated_at = $2 WHERE task_id = $3")
        .bind(i64::from(enqueued))
        .bind(now)
        .bind(task_id)
        .execute(conn)
        .await?;
    Ok(())
}

/// Takes the job's row lock (PostgreSQL) so that assembling and adding chunks never
/// interleave; `false` when the job is settled or gone. SQLite serialises writers anyway.
pub(crate) async fn lock_open_job(
    conn: &mut AnyConnection,
    task_id: &str,
    now: i64,
) -> Result<bool, Failure> {
    let done = sqlx::query(
        "UPDATE stt_jobs SET updated_at = $1 \
         WHERE task_id = $2 AND status IN ('PENDING', 'RUNNING')",
    )
    .bind(now)
    .bind(task_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Adds to an open job's chunk count and warnings.
pub(crate) async fn grow_job(
    conn: &mut AnyConnection,
    job: &JobRecord,
    added: u64,
    warnings: &[String],
) -> Result<(), Failure> {
    let mut all = job.warnings.clone();
    all.extend_from_slice(warnings);
    sqlx::query(
        "UPDATE stt_jobs SET total_chunks = total_chunks + $1, warnings = $2, event = $3, \
         enqueued = 0 WHERE task_id = $4",
    )
    .bind(i64::try_from(added).unwrap_or(i64::MAX))
    .bind(to_json(&all)?)
    .bind(to_json(&job.event)?)
    .bind(&job.task_id)
    .execute(conn)
    .await?;
    Ok(())
}

/// Marks the job enqueued if it was not; `true` when this call did.
pub(crate) async fn first_enqueued(
    conn: &mut AnyConnection,
    task_id: &str,
    now: i64,
) -> Result<bool, Failure> {
    let done = sqlx::query(
        "UPDATE stt_jobs SET enqueued = 1, updated_at = $1 WHERE task_id = $2 AND enqueued = 0",
    )
    .bind(now)
    .bind(task_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Open jobs, oldest first (the sweeper tops up their share of the work queue).
pub(crate) async fn open_jobs(conn: &mut AnyConnection) -> Result<Vec<JobRecord>, Failure> {
    let rows = sqlx::query(&format!(
        "SELECT {COLS} FROM stt_jobs WHERE status IN ('PENDING', 'RUNNING') \
         ORDER BY created_at LIMIT 1000"
    ))
    .fetch_all(conn)
    .await?;
    rows.iter().map(job_from_row).collect()
}

pub(crate) async fn job(
    conn: &mut AnyConnection,
    task_id: &str,
) -> Result<Option<JobRecord>, Failure> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM stt_jobs WHERE task_id = $1"))
        .bind(task_id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(job_from_row).transpose()
}

pub(crate) async fn job_for_meeting(
    conn: &mut AnyConnection,
    meeting: Uuid,
) -> Result<Option<JobRecord>, Failure> {
    let row = sqlx::query(&format!(
        "SELECT {COLS} FROM stt_jobs WHERE meeting_id = $1"
    ))
    .bind(meeting.to_string())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(job_from_row).transpose()
}

/// Moves a job to `to` if its status is one of `from`; `true` when this call moved it.
pub(crate) async fn set_job_status(
    conn: &mut AnyConnection,
    task_id: &str,
    from: &[JobStatus],
    to: JobStatus,
    error: Option<&str>,
    now: i64,
) -> Result<bool, Failure> {
    let from: Vec<String> = from.iter().map(|s| format!("'{}'", s.as_str())).collect();
    let done = sqlx::query(&format!(
        "UPDATE stt_jobs SET status = $1, error = $2, updated_at = $3 \
         WHERE task_id = $4 AND status IN ({})",
        from.join(", ")
    ))
    .bind(to.as_str())
    .bind(error.map(str::to_string))
    .bind(now)
    .bind(task_id)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Jobs still `PENDING` that were queued before `before` (their message has expired).
pub(crate) async fn stale_jobs(
    conn: &mut AnyConnection,
    before: i64,
) -> Result<Vec<JobRecord>, Failure> {
    let rows = sqlx::query(&format!(
        "SELECT {COLS} FROM stt_jobs WHERE status = 'PENDING' AND enqueued = 1 AND updated_at < $1 \
         ORDER BY created_at LIMIT 100"
    ))
    .bind(before)
    .fetch_all(conn)
    .await?;
    rows.iter().map(job_from_row).collect()
}
