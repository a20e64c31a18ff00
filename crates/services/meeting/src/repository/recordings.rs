//! SQL for the `recordings` table: one row per uploaded track, written only once its file is
//! complete and in place (see `crate::recording`).

use quorum_store::sqlx::{self, any::AnyRow, AnyConnection, Row};
use uuid::Uuid;

use super::uuid;
use quorum_service::Failure;

/// A stored recording (timestamps in epoch millis; `path` is absolute).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RecordingRecord {
    pub(crate) id: Uuid,
    pub(crate) meeting_id: Uuid,
    /// The speaker of the whole track.
    pub(crate) participant_id: Uuid,
    pub(crate) uploaded_by: Uuid,
    /// `wav`, `flac`, `mp3`, `ogg`, `m4a` or `webm` (also the file extension).
    pub(crate) format: String,
    pub(crate) size_bytes: i64,
    /// Hex SHA-256 of the file.
    pub(crate) sha256: String,
    pub(crate) duration_ms: i64,
    pub(crate) path: String,
    pub(crate) created_at: i64,
}

const COLS: &str = "id, meeting_id, participant_id, uploaded_by, format, size_bytes, sha256, \
    duration_ms, path, created_at";

fn from_row(row: &AnyRow) -> Result<RecordingRecord, Failure> {
    Ok(RecordingRecord {
        id: uuid(&row.try_get::<String, _>("id")?)?,
        meeting_id: uuid(&row.try_get::<String, _>("meeting_id")?)?,
        participant_id: uuid(&row.try_get::<String, _>("participant_id")?)?,
        uploaded_by: uuid(&row.try_get::<String, _>("uploaded_by")?)?,
        format: row.try_get("format")?,
        size_bytes: row.try_get("size_bytes")?,
        sha256: row.try_get("sha256")?,
        duration_ms: row.try_get("duration_ms")?,
        path: row.try_get("path")?,
        created_at: row.try_get("created_at")?,
    })
}

pub(crate) async fn insert(conn: &mut AnyConnection, r: &RecordingRecord) -> Result<(), Failure> {
    sqlx::query(&format!(
        "INSERT INTO recordings ({COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)"
    ))
    .bind(r.id.to_string())
    .bind(r.meeting_id.to_string())
    .bind(r.participant_id.to_string())
    .bind(r.uploaded_by.to_string())
    .bind(&r.format)
    .bind(r.size_bytes)
    .bind(&r.sha256)
    .bind(r.duration_ms)
    .bind(&r.path)
    .bind(r.created_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// One recording of `meeting`.
pub(crate) async fn one_of(
    conn: &mut AnyConnection,
    meeting: Uuid,
    id: Uuid,
) -> Result<Option<RecordingRecord>, Failure> {
    let row = sqlx::query(&format!(
        "SELECT {COLS} FROM recordings WHERE meeting_id = $1 AND id = $2"
    ))
    .bind(meeting.to_string())
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(from_row).transpose()
}

/// Every recording of `meeting`, in upload order.
pub(crate) async fn all_of(
    conn: &mut AnyConnection,
    meeting: Uuid,
) -> Result<Vec<RecordingRecord>, Failure> {
    page_of(conn, meeting, i64::MAX, 0).await
}

/// One page of `meeting`'s recordings, in upload order.
pub(crate) async fn page_of(
    conn: &mut AnyConnection,
    meeting: Uuid,
    limit: i64,
    offset: i64,
) -> Result<Vec<RecordingRecord>, Failure> {
    let rows = sqlx::query(&format!(
        "SELECT {COLS} FROM recordings WHERE meeting_id = $1 \
         ORDER BY created_at, id LIMIT $2 OFFSET $3"
    ))
    .bind(meeting.to_string())
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// The length of all of `meeting`'s recordings together, in milliseconds.
pub(crate) async fn total_duration_of(
    conn: &mut AnyConnection,
    meeting: Uuid,
) -> Result<u64, Failure> {
    // PostgreSQL sums BIGINT to NUMERIC: cast back.
    let ms: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(duration_ms), 0) AS BIGINT) FROM recordings \
         WHERE meeting_id = $1",
    )
    .bind(meeting.to_string())
    .fetch_one(conn)
    .await?;
    Ok(u64::try_from(ms).unwrap_or(0))
}

pub(crate) async fn count_of(conn: &mut AnyConnection, meeting: Uuid) -> Result<u64, Failure> {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM recordings WHERE meeting_id = $1")
        .bind(meeting.to_string())
        .fetch_one(conn)
        .await?;
    Ok(u64::try_from(n).unwrap_or(0))
}
