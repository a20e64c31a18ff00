//! What the service remembers about meetings and to-dos to address later events: a
//! meeting's owner and title, a to-do's creator and meeting.

use quorum_store::sqlx::{self, AnyConnection, Row as _};
use uuid::Uuid;

use super::uuid;
use quorum_service::Failure;

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct MeetingRef {
    pub(crate) owner_id: Uuid,
    pub(crate) title: String,
}

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct TodoRef {
    pub(crate) created_by: Option<Uuid>,
    pub(crate) meeting_id: Option<Uuid>,
}

/// Records a meeting's owner and title, unless a newer event already did.
pub(crate) async fn put_meeting(
    conn: &mut AnyConnection,
    meeting: Uuid,
    m: &MeetingRef,
    at: i64,
) -> Result<(), Failure> {
    sqlx::query(
        "INSERT INTO meeting_refs (meeting_id, owner_id, title, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (meeting_id) DO UPDATE SET owner_id = excluded.owner_id, \
         title = excluded.title, updated_at = excluded.updated_at \
         WHERE meeting_refs.updated_at <= excluded.updated_at",
    )
    .bind(meeting.to_string())
    .bind(m.owner_id.to_string())
    .bind(&m.title)
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets a deleted meeting and its to-dos.
pub(crate) async fn delete_meeting(conn: &mut AnyConnection, meeting: Uuid) -> Result<(), Failure> {
    for table in ["todo_refs", "meeting_refs"] {
        sqlx::query(&format!("DELETE FROM {table} WHERE meeting_id = $1"))
            .bind(meeting.to_string())
            .execute(&mut *conn)
            .await?;
    }
    Ok(())
}

pub(crate) async fn meeting(
    conn: &mut AnyConnection,
    meeting: Uuid,
) -> Result<Option<MeetingRef>, Failure> {
    let row = sqlx::query("SELECT owner_id, title FROM meeting_refs WHERE meeting_id = $1")
        .bind(meeting.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        Ok(MeetingRef {
            owner_id: uuid(&r.try_get::<String, _>("owner_id")?)?,
            title: r.try_get("title")?,
        })
    })
    .transpose()
}

pub(crate) async fn put_todo(
    conn: &mut AnyConnection,
    todo: Uuid,
    t: &TodoRef,
    title: &str,
) -> Result<(), Failure> {
    sqlx::query(
        "INSERT INTO todo_refs (todo_id, meeting_id, created_by, title) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (todo_id) DO NOTHING",
    )
    .bind(todo.to_string())
    .bind(t.meeting_id.map(|m| m.to_string()))
    .bind(t.created_by.map(|c| c.to_string()))
    .bind(title)
    .execute(conn)
    .await?;
    Ok(())
}

pub(crate) async fn todo(conn: &mut AnyConnection, todo: Uuid) -> Result<Option<TodoRef>, Failure> {
    let row = sqlx::query("SELECT meeting_id, created_by FROM todo_refs WHERE todo_id = $1")
        .bind(todo.to_string())
        .fetch_optional(conn)
        .await?;
    let opt = |v: Option<String>| v.as_deref().map(uuid).transpose();
    row.map(|r| {
        Ok(TodoRef {
            meeting_id: opt(r.try_get("meeting_id")?)?,
            created_by: opt(r.try_get("created_by")?)?,
        })
    })
    .transpose()
}
