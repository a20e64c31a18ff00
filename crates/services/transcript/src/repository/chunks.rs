//! SQL for the chunks of speech-to-text jobs: one row per stretch of speech, settled once
//! (`PENDING → DONE | FAILED`), so a redelivered chunk never counts twice.

use quorum_store::sqlx::{self, any::AnyRow, AnyConnection, Row};
use uuid::Uuid;

use super::{json, to_json, uuid};
use crate::stt::SttOutput;
use quorum_service::Failure;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ChunkStatus {
    Pending,
    Done,
    Failed,
}

impl ChunkStatus {
    fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Done => "DONE",
            Self::Failed => "FAILED",
        }
    }

    fn parse(raw: &str) -> Result<Self, Failure> {
        Ok(match raw {
            "PENDING" => Self::Pending,
            "DONE" => Self::Done,
            "FAILED" => Self::Failed,
            other => return Err(Failure::corrupt(format!("chunk status `{other}`"))),
        })
    }
}

/// One chunk: where its audio is, whose track it came from, where it sits in the track, and
/// (once settled) what the engine heard or why it failed.
#[derive(Debug, Clone)]
pub(crate) struct ChunkRecord {
    pub(crate) task_id: String,
    pub(crate) index: u32,
    pub(crate) recording_id: Uuid,
    pub(crate) speaker_id: Option<Uuid>,
    pub(crate) start_ms: u64,
    pub(crate) end_ms: u64,
    pub(crate) path: String,
    pub(crate) status: ChunkStatus,
    pub(crate) result: Option<SttOutput>,
    pub(crate) error: Option<String>,
}

const COLS: &str =
    "task_id, idx, recording_id, speaker_id, start_ms, end_ms, path, status, result, error";

fn from_row(row: &AnyRow) -> Result<ChunkRecord, Failure> {
    let result: Option<String> = row.try_get("result")?;
    let speaker: Option<String> = row.try_get("speaker_id")?;
    Ok(ChunkRecord {
        task_id: row.try_get("task_id")?,
        index: u32::try_from(row.try_get::<i64, _>("idx")?).unwrap_or(u32::MAX),
        recording_id: uuid(&row.try_get::<String, _>("recording_id")?)?,
        speaker_id: speaker.as_deref().map(uuid).transpose()?,
        start_ms: u64::try_from(row.try_get::<i64, _>("start_ms")?).unwrap_or(0),
        end_ms: u64::try_from(row.try_get::<i64, _>("end_ms")?).unwrap_or(0),
        path: row.try_get("path")?,
        status: ChunkStatus::parse(&row.try_get::<String, _>("status")?)?,
        result: result
            .as_deref()
            .map(|r| json(r, "chunk result"))
            .transpose()?,
        error: row.try_get("error")?,
    })
}

fn millis(ms: u64) -> i64 {
    i64::try_from(ms).unwrap_or(i64::MAX)
}

pub(crate) async fn insert(
    conn: &mut AnyConnection,
    chunk: &ChunkRecord,
    now: i64,
) -> Result<(), Failure> {
    sqlx::query(
        "INSERT INTO stt_chunks (task_id, idx, recording_id, speaker_id, start_ms, end_ms, \
         path, status, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
    )
    .bind(&chunk.task_id)
    .bind(i64::from(chunk.index))
    .bind(chunk.recording_id.to_string())
    .bind(chunk.speaker_id.map(|s| s.to_string()))
    .bind(millis(chunk.start_ms))
    .bind(millis(chunk.end_ms))
    .bind(&chunk.path)
    .bind(ChunkStatus::Pending.as_str())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn get(
    conn: &mut AnyConnection,
    task_id: &str,
    index: u32,
) -> Result<Option<ChunkRecord>, Failure> {
    let row = sqlx::query(&format!(
        "SELECT {COLS} FROM stt_chunks WHERE task_id = $1 AND idx = $2"
    ))
    .bind(task_id)
    .bind(i64::from(index))
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// The job's chunks in index order.
pub(crate) async fn of_job(
    conn: &mut AnyConnection,
    task_id: &str,
) -> Result<Vec<ChunkRecord>, Failure> {
    let rows = sqlx::query(&format!(
        "SELECT {COLS} FROM stt_chunks WHERE task_id = $1 ORDER BY idx"
    ))
    .bind(task_id)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// The highest index of the job's chunks, if any.
pub(crate) async fn last_index(
    conn: &mut AnyConnection,
    task_id: &str,
) -> Result<Option<u32>, Failure> {
    let max: Option<i64> = sqlx::query_scalar("SELECT MAX(idx) FROM stt_chunks WHERE task_id = $1")
        .bind(task_id)
        .fetch_one(conn)
        .await?;
    Ok(max.and_then(|m| u32::try_from(m).ok()))
}

/// Recordings the job already has chunks of.
pub(crate) async fn recordings_of(
    conn: &mut AnyConnection,
    task_id: &str,
) -> Result<Vec<Uuid>, Failure> {
    let rows: Vec<String> =
        sqlx::query_scalar("SELECT DISTINCT recording_id FROM stt_chunks WHERE task_id = $1")
            .bind(task_id)
            .fetch_all(conn)
            .await?;
    rows.iter().map(|r| uuid(r)).collect()
}

/// How many of the job's pending chunks are on the work queue.
pub(crate) async fn in_flight(conn: &mut AnyConnection, task_id: &str) -> Result<u64, Failure> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM stt_chunks \
         WHERE task_id = $1 AND status = 'PENDING' AND queued_at IS NOT NULL",
    )
    .bind(task_id)
    .fetch_one(conn)
    .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}

/// The first `limit` pending chunks of the job not on the work queue, in index order.
pub(crate) async fn waiting(
    conn: &mut AnyConnection,
    task_id: &str,
    limit: u64,
) -> Result<Vec<u32>, Failure> {
    let rows: Vec<i64> = sqlx::query_scalar(
        "SELECT idx FROM stt_chunks WHERE task_id = $1 AND status = 'PENDING' \
         AND queued_at IS NULL ORDER BY idx LIMIT $2",
    )
    .bind(task_id)
    .bind(i64::try_from(limit).unwrap_or(i64::MAX))
    .fetch_all(conn)
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|i| u32::try_from(i).ok())
        .collect())
}

/// Records that the chunk is on the work queue (`Some(now)`), or no longer is (`None`).
pub(crate) async fn set_queued(
    conn: &mut AnyConnection,
    task_id: &str,
    index: u32,
    at: Option<i64>,
) -> Result<(), Failure> {
    sqlx::query("UPDATE stt_chunks SET queued_at = $1 WHERE task_id = $2 AND idx = $3")
        .bind(at)
        .bind(task_id)
        .bind(i64::from(index))
        .execute(conn)
        .await?;
    Ok(())
}

/// Forgets that pending chunks queued before `before` are on the work queue (their message
/// expired or was dead-lettered unsettled), so they are queued again; how many.
pub(crate) async fn requeue_older(conn: &mut AnyConnection, before: i64) -> Result<u64, Failure> {
    let done = sqlx::query(
        "UPDATE stt_chunks SET queued_at = NULL \
         WHERE status = 'PENDING' AND queued_at IS NOT NULL AND queued_at < $1",
    )
    .bind(before)
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// `(pending, done, failed)` counts of the job's chunks.
pub(crate) async fn counts(
    conn: &mut AnyConnection,
    task_id: &str,
) -> Result<(u64, u64, u64), Failure> {
    let rows = sqlx::query(
        "SELECT status, COUNT(*) AS n FROM stt_chunks WHERE task_id = $1 GROUP BY status",
    )
    .bind(task_id)
    .fetch_all(conn)
    .await?;
    let (mut pending, mut done, mut failed) = (0, 0, 0);
    for row in rows {
        let n = u64::try_from(row.try_get::<i64, _>("n")?).unwrap_or(0);
        match ChunkStatus::parse(&row.try_get::<String, _>("status")?)? {
            ChunkStatus::Pending => pending = n,
            ChunkStatus::Done => done = n,
            ChunkStatus::Failed => failed = n,
        }
    }
    Ok((pending, done, failed))
}

/// Settles a pending chunk as done with `output`; `false` when it was settled already.
pub(crate) async fn settle_done(
    conn: &mut AnyConnection,
    task_id: &str,
    index: u32,
    output: &SttOutput,
    now: i64,
) -> Result<bool, Failure> {
    settle(
        conn,
        task_id,
        index,
        ChunkStatus::Done,
        Some(to_json(output)?),
        None,
        now,
    )
    .await
}

/// Settles a pending chunk as failed with `error`; `false` when it was settled already.
pub(crate) async fn settle_failed(
    conn: &mut AnyConnection,
    task_id: &str,
    index: u32,
    error: &str,
    now: i64,
) -> Result<bool, Failure> {
    settle(
        conn,
        task_id,
        index,
        ChunkStatus::Failed,
        None,
        Some(error),
        now,
    )
    .await
}

async fn settle(
    conn: &mut AnyConnection,
    task_id: &str,
    index: u32,
    to: ChunkStatus,
    result: Option<String>,
    error: Option<&str>,
    now: i64,
) -> Result<bool, Failure> {
    let done = sqlx::query(
        "UPDATE stt_chunks SET status = $1, result = $2, error = $3, updated_at = $4 \
         WHERE task_id = $5 AND idx = $6 AND status = 'PENDING'",
    )
    .bind(to.as_str())
    .bind(result)
    .bind(error.map(str::to_string))
    .bind(now)
    .bind(task_id)
    .bind(i64::from(index))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
