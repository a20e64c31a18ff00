//! SQL for transcripts, sections and readers. Every function takes a connection so the same
//! code runs inside a write transaction (`&mut *tx`) or on a pooled reader.

pub(crate) mod chunks;
mod jobs;

pub(crate) use chunks::{ChunkRecord, ChunkStatus};
pub(crate) use jobs::{
    delete_job, first_enqueued, grow_job, insert_job, job, job_for_meeting, lock_open_job,
    open_jobs, set_enqueued, set_job_status, stale_jobs, JobMode, JobRecord, JobStatus,
};

use quorum_contracts::events::ParticipantRef;
use quorum_store::sqlx::{self, any::AnyRow, AnyConnection, Row};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::{DraftSection, Source, TranscriptStatus};
pub(crate) use quorum_service::column::uuid;
use quorum_service::column::{json, opt_uuid, to_json};
use quorum_service::Failure;

/// A transcript row with its readers (timestamps in epoch millis). The `TRANSCRIPT` cache
/// value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct TranscriptRecord {
    pub(crate) id: Uuid,
    pub(crate) meeting_id: Uuid,
    pub(crate) meeting_title: String,
    pub(crate) owner_id: Uuid,
    pub(crate) status: TranscriptStatus,
    pub(crate) language: String,
    pub(crate) source: Source,
    pub(crate) warnings: Vec<String>,
    pub(crate) participants: Vec<ParticipantRef>,
    pub(crate) meeting_date: i64,
    pub(crate) stt_task_id: Option<String>,
    /// Users it was shared with (besides the participants), in order of sharing.
    pub(crate) shared_with: Vec<Uuid>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

impl TranscriptRecord {
    pub(crate) fn is_participant(&self, user: Uuid) -> bool {
        self.owner_id == user || self.participants.iter().any(|p| p.user_id == user)
    }

    pub(crate) fn may_read(&self, user: Uuid) -> bool {
        self.is_participant(user) || self.shared_with.contains(&user)
    }

    pub(crate) fn participant_ids(&self) -> Vec<Uuid> {
        self.participants.iter().map(|p| p.user_id).collect()
    }
}

/// A section row. The `SECTIONS` cache value is the list of a transcript's sections.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct SectionRecord {
    pub(crate) index: u32,
    pub(crate) speaker: Option<String>,
    pub(crate) speaker_id: Option<Uuid>,
    pub(crate) start_ms: Option<i64>,
    pub(crate) end_ms: Option<i64>,
    pub(crate) text: String,
    pub(crate) verified: bool,
    pub(crate) verified_by: Option<Uuid>,
    pub(crate) verified_at: Option<i64>,
    pub(crate) edited_by: Option<Uuid>,
}

const COLS: &str = "id, meeting_id, meeting_title, owner_id, status, language, source, \
    warnings, participants, meeting_date, stt_task_id, created_at, updated_at";

fn transcript_from_row(row: &AnyRow) -> Result<TranscriptRecord, Failure> {
    let status: String = row.try_get("status")?;
    let source: String = row.try_get("source")?;
    Ok(TranscriptRecord {
        id: uuid(&row.try_get::<String, _>("id")?)?,
        meeting_id: uuid(&row.try_get::<String, _>("meeting_id")?)?,
        meeting_title: row.try_get("meeting_title")?,
        owner_id: uuid(&row.try_get::<String, _>("owner_id")?)?,
        status: status.parse().map_err(Failure::corrupt)?,
        language: row.try_get("language")?,
        source: source.parse().map_err(Failure::corrupt)?,
        warnings: json(&row.try_get::<String, _>("warnings")?, "warnings")?,
        participants: json(&row.try_get::<String, _>("participants")?, "participants")?,
        meeting_date: row.try_get("meeting_date")?,
        stt_task_id: row.try_get("stt_task_id")?,
        shared_with: Vec::new(),
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub(crate) async fn find(
    conn: &mut AnyConnection,
    id: Uuid,
) -> Result<Option<TranscriptRecord>, Failure> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM transcripts WHERE id = $1"))
        .bind(id.to_string())
        .fetch_optional(&mut *conn)
        .await?;
    let Some(mut t) = row.as_ref().map(transcript_from_row).transpose()? else {
        return Ok(None);
    };
    let shared: Vec<String> = sqlx::query_scalar(
        "SELECT user_id FROM transcript_readers WHERE transcript_id = $1 AND participant = 0 \
         ORDER BY added_at, user_id",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await?;
    t.shared_with = shared.iter().map(|s| uuid(s)).collect::<Result<_, _>>()?;
    Ok(Some(t))
}

/// The id of the meeting's transcript, if it has one.
pub(crate) async fn id_for_meeting(
    conn: &mut AnyConnection,
    meeting: Uuid,
) -> Result<Option<Uuid>, Failure> {
    let id: Option<String> = sqlx::query_scalar("SELECT id FROM transcripts WHERE meeting_id = $1")
        .bind(meeting.to_string())
        .fetch_optional(conn)
        .await?;
    id.as_deref().map(uuid).transpose()
}

/// Inserts the transcript, its participants as readers, and its sections (indexed from 0).
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    t: &TranscriptRecord,
    sections: &[DraftSection],
) -> Result<(), Failure> {
    sqlx::query(&format!(
        "INSERT INTO transcripts ({COLS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)"
    ))
    .bind(t.id.to_string())
    .bind(t.meeting_id.to_string())
    .bind(&t.meeting_title)
    .bind(t.owner_id.to_string())
    .bind(t.status.as_str())
    .bind(&t.language)
    .bind(t.source.as_str())
    .bind(to_json(&t.warnings)?)
    .bind(to_json(&t.participants)?)
    .bind(t.meeting_date)
    .bind(t.stt_task_id.clone())
    .bind(t.created_at)
    .bind(t.updated_at)
    .execute(&mut *conn)
    .await?;
    let mut readers = t.participant_ids();
    if !readers.contains(&t.owner_id) {
        readers.push(t.owner_id);
    }
    for user in readers {
        sqlx::query(
            "INSERT INTO transcript_readers (transcript_id, user_id, participant, added_at) \
             VALUES ($1, $2, 1, $3) ON CONFLICT DO NOTHING",
        )
        .bind(t.id.to_string())
        .bind(user.to_string())
        .bind(t.created_at)
        .execute(&mut *conn)
        .await?;
    }
    for (idx, s) in (0_i64..).zip(sections) {
        sqlx::query(
            "INSERT INTO transcript_sections (transcript_id, idx, speaker, speaker_id, \
             start_ms, end_ms, text, verified) VALUES ($1, $2, $3, $4, $5, $6, $7, 0)",
        )
        .bind(t.id.to_string())
        .bind(idx)
        .bind(s.speaker.clone())
        .bind(s.speaker_id.map(|u| u.to_string()))
        .bind(s.start_ms.map(|v| i64::try_from(v).unwrap_or(i64::MAX)))
        .bind(s.end_ms.map(|v| i64::try_from(v).unwrap_or(i64::MAX)))
        .bind(&s.text)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Deletes a transcript with its sections and readers.
pub(crate) async fn delete(conn: &mut AnyConnection, id: Uuid) -> Result<(), Failure> {
    for table in ["transcript_sections", "transcript_readers"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE transcript_id = $1"))
            .bind(id.to_string())
            .execute(&mut *conn)
            .await?;
    }
    sqlx::query("DELETE FROM transcripts WHERE id = $1")
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

pub(crate) async fn sections(
    conn: &mut AnyConnection,
    id: Uuid,
) -> Result<Vec<SectionRecord>, Failure> {
    let rows = sqlx::query(
        "SELECT idx, speaker, speaker_id, start_ms, end_ms, text, verified, verified_by, \
         verified_at, edited_by FROM transcript_sections WHERE transcript_id = $1 ORDER BY idx",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let idx: i64 = r.try_get("idx")?;
            Ok(SectionRecord {
                index: u32::try_from(idx).map_err(|e| Failure::corrupt(e.to_string()))?,
                speaker: r.try_get("speaker")?,
                speaker_id: opt_uuid(r.try_get("speaker_id")?)?,
                start_ms: r.try_get("start_ms")?,
                end_ms: r.try_get("end_ms")?,
                text: r.try_get("text")?,
                verified: r.try_get::<i64, _>("verified")? != 0,
                verified_by: opt_uuid(r.try_get("verified_by")?)?,
                verified_at: r.try_get("verified_at")?,
                edited_by: opt_uuid(r.try_get("edited_by")?)?,
            })
        })
        .collect()
}

/// Touches the transcript row first in a write transaction, so concurrent writers of one
/// transcript queue up (a row lock on PostgreSQL, the single writer on SQLite) and each sees
/// the others' committed sections. `false` when it does not exist.
pub(crate) async fn lock(conn: &mut AnyConnection, id: Uuid, now: i64) -> Result<bool, Failure> {
    let done = sqlx::query("UPDATE transcripts SET updated_at = $1 WHERE id = $2")
        .bind(now)
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Replaces a section's text and clears its verification; `false` for an unknown index.
pub(crate) async fn correct_section(
    conn: &mut AnyConnection,
    id: Uuid,
    index: u32,
    text: &str,
    by: Uuid,
    now: i64,
) -> Result<bool, Failure> {
    let done = sqlx::query(
        "UPDATE transcript_sections SET text = $1, verified = 0, verified_by = NULL, \
         verified_at = NULL, edited_by = $2, edited_at = $3 WHERE transcript_id = $4 AND idx = $5",
    )
    .bind(text)
    .bind(by.to_string())
    .bind(now)
    .bind(id.to_string())
    .bind(i64::from(index))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Marks a section verified. `None` for an unknown index, `Some(false)` when it already was.
pub(crate) async fn verify_section(
    conn: &mut AnyConnection,
    id: Uuid,
    index: u32,
    by: Uuid,
    now: i64,
) -> Result<Option<bool>, Failure> {
    let done = sqlx::query(
        "UPDATE transcript_sections SET verified = 1, verified_by = $1, verified_at = $2 \
         WHERE transcript_id = $3 AND idx = $4 AND verified = 0",
    )
    .bind(by.to_string())
    .bind(now)
    .bind(id.to_string())
    .bind(i64::from(index))
    .execute(&mut *conn)
    .await?;
    if done.rows_affected() == 1 {
        return Ok(Some(true));
    }
    let exists =
        sqlx::query("SELECT 1 FROM transcript_sections WHERE transcript_id = $1 AND idx = $2")
            .bind(id.to_string())
            .bind(i64::from(index))
            .fetch_optional(conn)
            .await?
            .is_some();
    Ok(exists.then_some(false))
}

pub(crate) async fn unverified_sections(
    conn: &mut AnyConnection,
    id: Uuid,
) -> Result<i64, Failure> {
    Ok(sqlx::query_scalar(
        "SELECT COUNT(*) FROM transcript_sections WHERE transcript_id = $1 AND verified = 0",
    )
    .bind(id.to_string())
    .fetch_one(conn)
    .await?)
}

/// Moves the status from `from` to `to`; `true` when this call changed it.
pub(crate) async fn set_status(
    conn: &mut AnyConnection,
    id: Uuid,
    from: TranscriptStatus,
    to: TranscriptStatus,
) -> Result<bool, Failure> {
    let done = sqlx::query("UPDATE transcripts SET status = $1 WHERE id = $2 AND status = $3")
        .bind(to.as_str())
        .bind(id.to_string())
        .bind(from.as_str())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

/// Adds readers; returns those who could not read it before.
pub(crate) async fn share(
    conn: &mut AnyConnection,
    id: Uuid,
    users: &[Uuid],
    by: Uuid,
    now: i64,
) -> Result<Vec<Uuid>, Failure> {
    let mut added = Vec::new();
    for user in users {
        let done = sqlx::query(
            "INSERT INTO transcript_readers (transcript_id, user_id, participant, shared_by, \
             added_at) VALUES ($1, $2, 0, $3, $4) ON CONFLICT DO NOTHING",
        )
        .bind(id.to_string())
        .bind(user.to_string())
        .bind(by.to_string())
        .bind(now)
        .execute(&mut *conn)
        .await?;
        if done.rows_affected() == 1 {
            added.push(*user);
        }
    }
    Ok(added)
}

/// Removes a reader it was shared with (never a participant); whether there was one.
pub(crate) async fn unshare(
    conn: &mut AnyConnection,
    id: Uuid,
    user: Uuid,
) -> Result<bool, Failure> {
    let done = sqlx::query(
        "DELETE FROM transcript_readers WHERE transcript_id = $1 AND user_id = $2 \
         AND participant = 0",
    )
    .bind(id.to_string())
    .bind(user.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// The transcript whose speech-to-text task is `task_id`.
pub(crate) async fn id_for_task(
    conn: &mut AnyConnection,
    task_id: &str,
) -> Result<Option<Uuid>, Failure> {
    let id: Option<String> =
        sqlx::query_scalar("SELECT id FROM transcripts WHERE stt_task_id = $1")
            .bind(task_id)
            .fetch_optional(conn)
            .await?;
    id.as_deref().map(uuid).transpose()
}
