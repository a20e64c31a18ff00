//! SQL for meetings, participants and templates. Every function takes a connection so the
//! same code runs inside a write transaction (`&mut *tx`) or on a pooled reader. Recordings
//! are in [`recordings`].

use quorum_store::sqlx::{self, any::AnyRow, AnyConnection, Row};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::domain::MeetingStatus;
use crate::views::{Localized, TemplateView};
pub(crate) use quorum_service::column::uuid;
use quorum_service::Failure;

pub(crate) mod recordings;

/// A meeting row (timestamps in epoch millis). Also the `MEETING` cache value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct MeetingRecord {
    pub(crate) id: Uuid,
    pub(crate) title: String,
    pub(crate) status: MeetingStatus,
    pub(crate) owner_id: Uuid,
    pub(crate) scheduled_at: i64,
    pub(crate) started_at: Option<i64>,
    pub(crate) ended_at: Option<i64>,
    pub(crate) agenda: Option<String>,
    pub(crate) notes: Option<String>,
    pub(crate) template_id: Option<String>,
    pub(crate) progress_completed: i64,
    pub(crate) progress_total: i64,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

/// A participant as the directory knows them. A user deleted from the directory keeps their
/// place in the meeting with an empty name and e-mail. Also the `PARTICIPANTS` cache value.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Participant {
    pub(crate) user_id: Uuid,
    pub(crate) name: String,
    pub(crate) email: String,
}

const COLS: &str = "m.id, m.title, m.status, m.owner_id, m.scheduled_at, m.started_at, \
    m.ended_at, m.agenda, m.notes, m.template_id, m.progress_completed, m.progress_total, \
    m.created_at, m.updated_at";

fn meeting_from_row(row: &AnyRow) -> Result<MeetingRecord, Failure> {
    let status: String = row.try_get("status")?;
    Ok(MeetingRecord {
        id: uuid(&row.try_get::<String, _>("id")?)?,
        title: row.try_get("title")?,
        status: status.parse().map_err(Failure::corrupt)?,
        owner_id: uuid(&row.try_get::<String, _>("owner_id")?)?,
        scheduled_at: row.try_get("scheduled_at")?,
        started_at: row.try_get("started_at")?,
        ended_at: row.try_get("ended_at")?,
        agenda: row.try_get("agenda")?,
        notes: row.try_get("notes")?,
        template_id: row.try_get("template_id")?,
        progress_completed: row.try_get("progress_completed")?,
        progress_total: row.try_get("progress_total")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

pub(crate) async fn find(
    conn: &mut AnyConnection,
    id: Uuid,
) -> Result<Option<MeetingRecord>, Failure> {
    let row = sqlx::query(&format!("SELECT {COLS} FROM meetings m WHERE m.id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(meeting_from_row).transpose()
}

pub(crate) async fn insert(
    conn: &mut AnyConnection,
    m: &MeetingRecord,
    participants: &[Uuid],
) -> Result<(), Failure> {
    sqlx::query(
        "INSERT INTO meetings (id, title, status, owner_id, scheduled_at, started_at, ended_at, \
         agenda, notes, template_id, progress_completed, progress_total, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)",
    )
    .bind(m.id.to_string())
    .bind(&m.title)
    .bind(m.status.as_str())
    .bind(m.owner_id.to_string())
    .bind(m.scheduled_at)
    .bind(m.started_at)
    .bind(m.ended_at)
    .bind(m.agenda.clone())
    .bind(m.notes.clone())
    .bind(m.template_id.clone())
    .bind(m.progress_completed)
    .bind(m.progress_total)
    .bind(m.created_at)
    .bind(m.updated_at)
    .execute(&mut *conn)
    .await?;
    replace_participants(conn, m.id, participants, m.created_at).await
}

/// Writes every mutable column of `m`, provided the stored status is still `expected`
/// (optimistic check): `false` when a concurrent transition got there first, which the caller
/// answers with a 409 instead of a lost update.
pub(crate) async fn update(
    conn: &mut AnyConnection,
    m: &MeetingRecord,
    expected: MeetingStatus,
) -> Result<bool, Failure> {
    let done = sqlx::query(
        "UPDATE meetings SET title = $1, status = $2, scheduled_at = $3, started_at = $4, \
         ended_at = $5, agenda = $6, notes = $7, updated_at = $8 WHERE id = $9 AND status = $10",
    )
    .bind(&m.title)
    .bind(m.status.as_str())
    .bind(m.scheduled_at)
    .bind(m.started_at)
    .bind(m.ended_at)
    .bind(m.agenda.clone())
    .bind(m.notes.clone())
    .bind(m.updated_at)
    .bind(m.id.to_string())
    .bind(expected.as_str())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// A write that changes nothing but takes the meeting row's lock until the transaction ends
/// (portable `SELECT … FOR UPDATE`), to serialize with status transitions.
pub(crate) async fn touch(conn: &mut AnyConnection, id: Uuid) -> Result<(), Failure> {
    sqlx::query("UPDATE meetings SET updated_at = updated_at WHERE id = $1")
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(())
}

/// Deletes the meeting with its participants and recordings (rows only: the files are the
/// caller's, after the commit). `false` when there was no such meeting.
pub(crate) async fn delete(conn: &mut AnyConnection, id: Uuid) -> Result<bool, Failure> {
    for table in ["recordings", "meeting_participants"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE meeting_id = $1"))
            .bind(id.to_string())
            .execute(&mut *conn)
            .await?;
    }
    let done = sqlx::query("DELETE FROM meetings WHERE id = $1")
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(done.rows_affected() == 1)
}

pub(crate) async fn replace_participants(
    conn: &mut AnyConnection,
    meeting: Uuid,
    users: &[Uuid],
    now: i64,
) -> Result<(), Failure> {
    sqlx::query("DELETE FROM meeting_participants WHERE meeting_id = $1")
        .bind(meeting.to_string())
        .execute(&mut *conn)
        .await?;
    for (position, user) in (0_i64..).zip(users) {
        sqlx::query(
            "INSERT INTO meeting_participants (meeting_id, user_id, position, added_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(meeting.to_string())
        .bind(user.to_string())
        .bind(position)
        .bind(now)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// Participants in the order given (the owner first), named from the directory.
pub(crate) async fn participants(
    conn: &mut AnyConnection,
    meeting: Uuid,
) -> Result<Vec<Participant>, Failure> {
    let rows = sqlx::query(
        "SELECT p.user_id, COALESCE(d.name, '') AS name, COALESCE(d.email, '') AS email \
         FROM meeting_participants p LEFT JOIN live_users d ON d.user_id = p.user_id \
         WHERE p.meeting_id = $1 ORDER BY p.position, p.user_id",
    )
    .bind(meeting.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Participant {
                user_id: uuid(&r.try_get::<String, _>("user_id")?)?,
                name: r.try_get("name")?,
                email: r.try_get("email")?,
            })
        })
        .collect()
}

/// Meetings `user` takes part in, soonest-scheduled last (newest first), and the total.
pub(crate) async fn list_for(
    conn: &mut AnyConnection,
    user: Uuid,
    status: Option<MeetingStatus>,
    limit: i64,
    offset: i64,
) -> Result<(Vec<MeetingRecord>, u64), Failure> {
    let filter = if status.is_some() {
        "AND m.status = $2"
    } else {
        ""
    };
    let from = format!(
        "FROM meetings m JOIN meeting_participants p ON p.meeting_id = m.id \
         WHERE p.user_id = $1 {filter}"
    );
    let (lim, off) = if status.is_some() {
        ("$3", "$4")
    } else {
        ("$2", "$3")
    };
    let count_sql = format!("SELECT COUNT(*) {from}");
    let mut count = sqlx::query_scalar::<_, i64>(&count_sql).bind(user.to_string());
    let list_sql = format!(
        "SELECT {COLS} {from} ORDER BY m.scheduled_at DESC, m.id DESC LIMIT {lim} OFFSET {off}"
    );
    let mut list = sqlx::query(&list_sql).bind(user.to_string());
    if let Some(s) = status {
        count = count.bind(s.as_str());
        list = list.bind(s.as_str());
    }
    let total = count.fetch_one(&mut *conn).await?;
    let rows = list.bind(limit).bind(offset).fetch_all(&mut *conn).await?;
    let items = rows
        .iter()
        .map(meeting_from_row)
        .collect::<Result<_, _>>()?;
    Ok((items, u64::try_from(total).unwrap_or(0)))
}

/// Ids of the meetings `user` takes part in (for evicting cached participant lists).
pub(crate) async fn meetings_of(
    conn: &mut AnyConnection,
    user: Uuid,
) -> Result<Vec<Uuid>, Failure> {
    let ids: Vec<String> =
        sqlx::query_scalar("SELECT meeting_id FROM meeting_participants WHERE user_id = $1")
            .bind(user.to_string())
            .fetch_all(conn)
            .await?;
    ids.iter().map(|s| uuid(s)).collect()
}

fn template_from_row(row: &AnyRow) -> Result<TemplateView, Failure> {
    let sections: String = row.try_get("sections")?;
    Ok(TemplateView {
        id: row.try_get("id")?,
        name: Localized {
            ko: row.try_get("name_ko")?,
            en: row.try_get("name_en")?,
        },
        description: Localized {
            ko: row.try_get("description_ko")?,
            en: row.try_get("description_en")?,
        },
        agenda_sections: serde_json::from_str(&sections)
            .map_err(|e| Failure::corrupt(format!("template sections: {e}")))?,
        duration_minutes: row.try_get("duration_minutes")?,
    })
}

const TEMPLATE_COLS: &str =
    "id, name_ko, name_en, description_ko, description_en, sections, duration_minutes";

pub(crate) async fn templates(conn: &mut AnyConnection) -> Result<Vec<TemplateView>, Failure> {
    let rows = sqlx::query(&format!(
        "SELECT {TEMPLATE_COLS} FROM meeting_templates ORDER BY position, id"
    ))
    .fetch_all(conn)
    .await?;
    rows.iter().map(template_from_row).collect()
}

pub(crate) async fn template(
    conn: &mut AnyConnection,
    id: &str,
) -> Result<Option<TemplateView>, Failure> {
    let row = sqlx::query(&format!(
        "SELECT {TEMPLATE_COLS} FROM meeting_templates WHERE id = $1"
    ))
    .bind(id)
    .fetch_optional(conn)
    .await?;
    row.as_ref().map(template_from_row).transpose()
}
