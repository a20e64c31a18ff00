//! SQL for transcripts, analyses, schedule suggestions and task requesters. Every function
//! takes a connection so the same code runs inside a write transaction or on a reader.

use quorum_contracts::events::TranscriptCreated;
use quorum_store::sqlx::{self, AnyConnection, Row};
use uuid::Uuid;

use crate::views::{AnalysisView, SuggestionView};
use quorum_service::column::{json, to_json, uuid};
use quorum_service::Failure;

/// The kinds of `analyses` rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Auto,
    Summary,
    Schedule,
}

impl Kind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::Auto => "AUTO",
            Kind::Summary => "SUMMARY",
            Kind::Schedule => "SCHEDULE",
        }
    }
}

/// A stored analysis.
#[derive(Debug, Clone)]
pub(crate) struct AnalysisRecord {
    pub(crate) id: Uuid,
    pub(crate) meeting_id: Uuid,
    pub(crate) transcript_id: Uuid,
    pub(crate) engine: String,
    pub(crate) doc: AnalysisView,
}

/// Keeps the latest payload of a transcript (a re-created transcript replaces it).
pub(crate) async fn save_transcript(
    conn: &mut AnyConnection,
    t: &TranscriptCreated,
    now: i64,
) -> Result<(), Failure> {
    sqlx::query(
        "INSERT INTO transcripts (transcript_id, meeting_id, payload, received_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (transcript_id) DO UPDATE \
         SET payload = excluded.payload, received_at = excluded.received_at",
    )
    .bind(t.transcript_id.to_string())
    .bind(t.meeting_id.to_string())
    .bind(to_json(t)?)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn transcript(
    conn: &mut AnyConnection,
    id: Uuid,
) -> Result<Option<TranscriptCreated>, Failure> {
    let raw: Option<String> =
        sqlx::query_scalar("SELECT payload FROM transcripts WHERE transcript_id = $1")
            .bind(id.to_string())
            .fetch_optional(conn)
            .await?;
    raw.map(|r| json(&r, "transcript payload")).transpose()
}

/// The newest transcript of a meeting (its participants decide who sees the meeting's AI
/// output).
pub(crate) async fn latest_transcript(
    conn: &mut AnyConnection,
    meeting: Uuid,
) -> Result<Option<TranscriptCreated>, Failure> {
    let raw: Option<String> = sqlx::query_scalar(
        "SELECT payload FROM transcripts WHERE meeting_id = $1 \
         ORDER BY received_at DESC LIMIT 1",
    )
    .bind(meeting.to_string())
    .fetch_optional(conn)
    .await?;
    raw.map(|r| json(&r, "transcript payload")).transpose()
}

/// Inserts an analysis and its suggestions.
pub(crate) async fn insert_analysis(
    conn: &mut AnyConnection,
    a: &AnalysisRecord,
    kind: Kind,
    task_id: Option<&str>,
    now: i64,
) -> Result<(), Failure> {
    sqlx::query(
        "INSERT INTO analyses (id, meeting_id, transcript_id, kind, task_id, engine, result, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(a.id.to_string())
    .bind(a.meeting_id.to_string())
    .bind(a.transcript_id.to_string())
    .bind(kind.as_str())
    .bind(task_id.map(str::to_owned))
    .bind(&a.engine)
    .bind(to_json(&a.doc)?)
    .bind(now)
    .execute(&mut *conn)
    .await?;
    for (position, s) in a.doc.schedule_suggestions.iter().enumerate() {
        sqlx::query(
            "INSERT INTO schedule_suggestions (id, analysis_id, meeting_id, position, title, \
             start_at, duration_minutes, participant_ids, reason) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
        )
        .bind(s.id.to_string())
        .bind(a.id.to_string())
        .bind(a.meeting_id.to_string())
        .bind(i64::try_from(position).unwrap_or(i64::MAX))
        .bind(&s.title)
        .bind(s.start.timestamp_millis())
        .bind(i64::from(s.duration_minutes))
        .bind(to_json(&s.participant_ids)?)
        .bind(&s.reason)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

const COLS: &str = "id, meeting_id, transcript_id, engine, result";

fn record(row: &quorum_store::Row) -> Result<AnalysisRecord, Failure> {
    Ok(AnalysisRecord {
        id: uuid(&row.try_get::<String, _>("id")?)?,
        meeting_id: uuid(&row.try_get::<String, _>("meeting_id")?)?,
        transcript_id: uuid(&row.try_get::<String, _>("transcript_id")?)?,
        engine: row.try_get("engine")?,
        doc: doc(&row.try_get::<String, _>("result")?)?,
    })
}

/// A stored `result`; one written before `decisionSections` existed reads with null for
/// each decision (and no `sectionIndex` on its action items).
pub(crate) fn doc(raw: &str) -> Result<AnalysisView, Failure> {
    json::<AnalysisView>(raw, "analysis result").map(AnalysisView::aligned)
}

/// Whether the automatic analysis of `transcript` exists.
pub(crate) async fn has_auto(conn: &mut AnyConnection, transcript: Uuid) -> Result<bool, Failure> {
    let n: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM analyses WHERE transcript_id = $1 AND kind = 'AUTO'",
    )
    .bind(transcript.to_string())
    .fetch_one(conn)
    .await?;
    Ok(n > 0)
}

/// The newest automatic analysis of a meeting.
pub(crate) async fn latest_auto(
    conn: &mut AnyConnection,
    meeting: Uuid,
) -> Result<Option<AnalysisRecord>, Failure> {
    let row = sqlx::query(&format!(
        "SELECT {COLS} FROM analyses WHERE meeting_id = $1 AND kind = 'AUTO' \
         ORDER BY created_at DESC, id DESC LIMIT 1"
    ))
    .bind(meeting.to_string())
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(record).transpose()
}

/// The analysis a task already produced (a redelivered job reuses it).
pub(crate) async fn analysis_of_task(
    conn: &mut AnyConnection,
    task_id: &str,
) -> Result<Option<AnalysisRecord>, Failure> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM analyses WHERE task_id = $1"))
        .bind(task_id)
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(record).transpose()
}

/// The suggestion with id `id`, or every suggestion of the analysis with id `id`, in order;
/// with the meeting they belong to.
pub(crate) async fn suggestions(
    conn: &mut AnyConnection,
    id: Uuid,
) -> Result<(Option<Uuid>, Vec<SuggestionView>), Failure> {
    let rows = sqlx::query(
        "SELECT id, meeting_id, title, start_at, duration_minutes, participant_ids, reason \
         FROM schedule_suggestions WHERE id = $1 OR analysis_id = $1 ORDER BY position",
    )
    .bind(id.to_string())
    .fetch_all(conn)
    .await?;
    let mut meeting = None;
    let mut out = Vec::with_capacity(rows.len());
    for row in &rows {
        meeting = Some(uuid(&row.try_get::<String, _>("meeting_id")?)?);
        let id = uuid(&row.try_get::<String, _>("id")?)?;
        let start_ms: i64 = row.try_get("start_at")?;
        let minutes: i64 = row.try_get("duration_minutes")?;
        let start = chrono::DateTime::from_timestamp_millis(start_ms)
            .ok_or_else(|| Failure::corrupt(format!("start {start_ms}")))?;
        let duration_minutes =
            u32::try_from(minutes).map_err(|_| Failure::corrupt(format!("duration {minutes}")))?;
        out.push(SuggestionView {
            id,
            title: row.try_get("title")?,
            start,
            end: start + chrono::Duration::minutes(minutes),
            duration_minutes,
            participant_ids: json(&row.try_get::<String, _>("participant_ids")?, "ids")?,
            reason: row.try_get("reason")?,
            ics_url: crate::analysis::ics_url(id),
        });
    }
    Ok((meeting, out))
}

/// Deletes everything kept for a meeting: its transcripts, analyses, schedule suggestions and
/// task rows. Returns the ids of its tasks.
pub(crate) async fn delete_meeting(
    conn: &mut AnyConnection,
    meeting: Uuid,
) -> Result<Vec<String>, Failure> {
    let tasks: Vec<String> =
        sqlx::query_scalar("SELECT task_id FROM ai_tasks WHERE meeting_id = $1")
            .bind(meeting.to_string())
            .fetch_all(&mut *conn)
            .await?;
    for table in [
        "schedule_suggestions",
        "analyses",
        "transcripts",
        "ai_tasks",
    ] {
        sqlx::query(&format!("DELETE FROM {table} WHERE meeting_id = $1"))
            .bind(meeting.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(tasks)
}

/// Who asked for a task, and about which meeting and transcript.
#[derive(Debug, Clone)]
pub(crate) struct TaskOwner {
    pub(crate) requester: Uuid,
}

/// Rows of `ai_tasks` are pruned after two days.
const TASK_ROW_TTL_MS: i64 = 2 * 24 * 60 * 60 * 1000;

pub(crate) async fn insert_task(
    conn: &mut AnyConnection,
    task_id: &str,
    kind: &str,
    requester: Uuid,
    meeting: Uuid,
    transcript: Uuid,
    now: i64,
) -> Result<(), Failure> {
    // Task status lives 24 h (quorum_tasks); who asked for it need not outlive it by much.
    sqlx::query("DELETE FROM ai_tasks WHERE created_at < $1")
        .bind(now - TASK_ROW_TTL_MS)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO ai_tasks (task_id, kind, requester, meeting_id, transcript_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(task_id)
    .bind(kind)
    .bind(requester.to_string())
    .bind(meeting.to_string())
    .bind(transcript.to_string())
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn task_owner(
    conn: &mut AnyConnection,
    task_id: &str,
) -> Result<Option<TaskOwner>, Failure> {
    let raw: Option<String> =
        sqlx::query_scalar("SELECT requester FROM ai_tasks WHERE task_id = $1")
            .bind(task_id)
            .fetch_optional(conn)
            .await?;
    raw.map(|r| {
        Ok(TaskOwner {
            requester: uuid(&r)?,
        })
    })
    .transpose()
}
