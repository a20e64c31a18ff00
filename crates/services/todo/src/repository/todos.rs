//! Todos and their status history.

use chrono::NaiveDate;
use quorum_store::sqlx::{self, any::AnyRow, AnyConnection, Row};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{opt_uuid, uuid};
use crate::domain::{Source, TodoStatus};
use quorum_service::Failure;

/// A todo row (timestamps in epoch millis). Also the `TODO_LIST` cache value (as a list).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct TodoRecord {
    pub(crate) id: Uuid,
    pub(crate) meeting_id: Option<Uuid>,
    pub(crate) title: String,
    pub(crate) status: TodoStatus,
    pub(crate) source: Source,
    pub(crate) assignee_id: Option<Uuid>,
    /// The directory's current name for the assignee, else the name the todo was given.
    pub(crate) assignee_name: Option<String>,
    /// The title of its meeting, as the service last learnt it.
    #[serde(default)]
    pub(crate) meeting_title: Option<String>,
    pub(crate) due_date: Option<NaiveDate>,
    pub(crate) created_by: Option<Uuid>,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

impl TodoRecord {
    /// The users whose lists and stats show this todo.
    pub(crate) fn owners(&self) -> impl Iterator<Item = Uuid> {
        self.assignee_id.into_iter().chain(self.created_by)
    }
}

const SELECT: &str = "SELECT t.id, t.meeting_id, t.title, t.status, t.source, t.assignee_id, \
    COALESCE(d.name, t.assignee_name) AS assignee_name, m.title AS meeting_title, t.due_date, \
    t.created_by, t.created_at, t.updated_at FROM todos t \
    LEFT JOIN live_users d ON d.user_id = t.assignee_id \
    LEFT JOIN meetings m ON m.meeting_id = t.meeting_id";

fn from_row(row: &AnyRow) -> Result<TodoRecord, Failure> {
    let status: String = row.try_get("status")?;
    let source: String = row.try_get("source")?;
    let due: Option<String> = row.try_get("due_date")?;
    Ok(TodoRecord {
        id: uuid(&row.try_get::<String, _>("id")?)?,
        meeting_id: opt_uuid(row.try_get("meeting_id")?)?,
        title: row.try_get("title")?,
        status: status.parse().map_err(Failure::corrupt)?,
        source: Source::parse(&source)
            .ok_or_else(|| Failure::corrupt(format!("unknown source `{source}`")))?,
        assignee_id: opt_uuid(row.try_get("assignee_id")?)?,
        assignee_name: row.try_get("assignee_name")?,
        meeting_title: row.try_get("meeting_title")?,
        due_date: due
            .map(|d| {
                NaiveDate::parse_from_str(&d, "%Y-%m-%d")
                    .map_err(|_| Failure::corrupt(format!("due date `{d}`")))
            })
            .transpose()?,
        created_by: opt_uuid(row.try_get("created_by")?)?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

fn text(id: Option<Uuid>) -> Option<String> {
    id.map(|u| u.to_string())
}

fn day(d: Option<NaiveDate>) -> Option<String> {
    d.map(|d| d.format("%Y-%m-%d").to_string())
}

pub(crate) async fn find(
    conn: &mut AnyConnection,
    id: Uuid,
) -> Result<Option<TodoRecord>, Failure> {
    let row = sqlx::query(&format!("{SELECT} WHERE t.id = $1"))
        .bind(id.to_string())
        .fetch_optional(conn)
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// The todos of a meeting, oldest first.
pub(crate) async fn of_meeting(
    conn: &mut AnyConnection,
    meeting: Uuid,
) -> Result<Vec<TodoRecord>, Failure> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE t.meeting_id = $1 ORDER BY t.created_at, t.id"
    ))
    .bind(meeting.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Every todo assigned to or created by `user`, newest first.
pub(crate) async fn of_user(
    conn: &mut AnyConnection,
    user: Uuid,
) -> Result<Vec<TodoRecord>, Failure> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE t.assignee_id = $1 OR t.created_by = $2 \
         ORDER BY t.created_at DESC, t.id DESC"
    ))
    .bind(user.to_string())
    .bind(user.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

/// Every todo assigned to or created by `user`, and every todo of a meeting `user` owns or
/// takes part in, newest first.
pub(crate) async fn of_user_and_meetings(
    conn: &mut AnyConnection,
    user: Uuid,
) -> Result<Vec<TodoRecord>, Failure> {
    let rows = sqlx::query(&format!(
        "{SELECT} WHERE t.assignee_id = $1 OR t.created_by = $1 OR t.meeting_id IN \
         (SELECT meeting_id FROM meeting_participants WHERE user_id = $1 \
          UNION SELECT meeting_id FROM meetings WHERE owner_id = $1) \
         ORDER BY t.created_at DESC, t.id DESC"
    ))
    .bind(user.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter().map(from_row).collect()
}

pub(crate) async fn insert(conn: &mut AnyConnection, t: &TodoRecord) -> Result<(), Failure> {
    sqlx::query(
        "INSERT INTO todos (id, meeting_id, title, status, source, assignee_id, assignee_name, \
         due_date, created_by, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
    )
    .bind(t.id.to_string())
    .bind(text(t.meeting_id))
    .bind(&t.title)
    .bind(t.status.as_str())
    .bind(t.source.as_str())
    .bind(text(t.assignee_id))
    .bind(t.assignee_name.clone())
    .bind(day(t.due_date))
    .bind(text(t.created_by))
    .bind(t.created_at)
    .bind(t.updated_at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Writes the mutable columns of `t`, provided the row was not changed since it was read
/// at `read_at` (optimistic check): `false` when a concurrent write got there first, which the
/// caller answers with a 409 instead of a lost update.
pub(crate) async fn update(
    conn: &mut AnyConnection,
    t: &TodoRecord,
    read_at: i64,
) -> Result<bool, Failure> {
    let done = sqlx::query(
        "UPDATE todos SET title = $1, status = $2, assignee_id = $3, assignee_name = $4, \
         due_date = $5, updated_at = $6 WHERE id = $7 AND updated_at = $8",
    )
    .bind(&t.title)
    .bind(t.status.as_str())
    .bind(text(t.assignee_id))
    .bind(t.assignee_name.clone())
    .bind(day(t.due_date))
    .bind(t.updated_at)
    .bind(t.id.to_string())
    .bind(read_at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes the todo and its status history, provided the row was not changed since it was
/// read at `read_at` (as [`update`]): `false` when a concurrent write got there first (or it
/// is already gone).
pub(crate) async fn delete(
    conn: &mut AnyConnection,
    todo: &TodoRecord,
    read_at: i64,
) -> Result<bool, Failure> {
    let id = todo.id;
    let done = sqlx::query("DELETE FROM todos WHERE id = $1 AND updated_at = $2")
        .bind(id.to_string())
        .bind(read_at)
        .execute(&mut *conn)
        .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    if let Some(meeting) = todo.meeting_id {
        sqlx::query(
            "INSERT INTO deleted_todos (todo_id, meeting_id, title, assignee_id, assignee_name, \
             deleted_at) VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (todo_id) DO NOTHING",
        )
        .bind(id.to_string())
        .bind(meeting.to_string())
        .bind(&todo.title)
        .bind(text(todo.assignee_id))
        .bind(&todo.assignee_name)
        .bind(quorum_store::now_millis())
        .execute(&mut *conn)
        .await?;
    }
    sqlx::query("DELETE FROM todo_status_history WHERE todo_id = $1")
        .bind(id.to_string())
        .execute(conn)
        .await?;
    Ok(true)
}

/// The todos of `meeting` deleted by hand (title and assignee; the rest is left empty), so
/// that the same action item found again is not made again.
pub(crate) async fn deleted_of_meeting(
    conn: &mut AnyConnection,
    meeting: Uuid,
) -> Result<Vec<(String, Option<Uuid>, Option<String>)>, Failure> {
    let rows = sqlx::query(
        "SELECT title, assignee_id, assignee_name FROM deleted_todos WHERE meeting_id = $1",
    )
    .bind(meeting.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            Ok((
                r.try_get("title")?,
                opt_uuid(r.try_get("assignee_id")?)?,
                r.try_get("assignee_name")?,
            ))
        })
        .collect()
}

/// Gives automatically created todos of `meeting` that have no creator yet the meeting's
/// owner (the AI analysis can arrive before `meeting.ended` names the owner).
pub(crate) async fn adopt(
    conn: &mut AnyConnection,
    meeting: Uuid,
    owner: Uuid,
) -> Result<u64, Failure> {
    let done = sqlx::query(
        "UPDATE todos SET created_by = $1 WHERE meeting_id = $2 AND created_by IS NULL \
         AND source <> 'MANUAL'",
    )
    .bind(owner.to_string())
    .bind(meeting.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

/// Records a status change (`from` is `None` when the todo is created).
pub(crate) async fn history(
    conn: &mut AnyConnection,
    todo: Uuid,
    from: Option<TodoStatus>,
    to: TodoStatus,
    by: Option<Uuid>,
    at: i64,
) -> Result<(), Failure> {
    sqlx::query(
        "INSERT INTO todo_status_history (todo_id, from_status, to_status, changed_by, changed_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(todo.to_string())
    .bind(from.map(|s| s.as_str().to_string()))
    .bind(to.as_str())
    .bind(text(by))
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// `(meeting, status, count)` over the todos assigned to or created by `user`.
pub(crate) async fn counts(
    conn: &mut AnyConnection,
    user: Uuid,
) -> Result<Vec<(Option<Uuid>, TodoStatus, i64)>, Failure> {
    let rows = sqlx::query(
        "SELECT meeting_id, status, COUNT(*) AS n FROM todos \
         WHERE assignee_id = $1 OR created_by = $2 GROUP BY meeting_id, status",
    )
    .bind(user.to_string())
    .bind(user.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let status: String = r.try_get("status")?;
            Ok((
                opt_uuid(r.try_get("meeting_id")?)?,
                status.parse().map_err(Failure::corrupt)?,
                r.try_get("n")?,
            ))
        })
        .collect()
}
