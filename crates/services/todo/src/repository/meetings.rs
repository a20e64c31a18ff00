//! What the service knows about meetings (owner, participants, learnt from `meeting.ended`
//! and `ai.analysis.completed`) and the user directory (from `user.*`).

use std::collections::BTreeSet;

use quorum_store::sqlx::{self, AnyConnection, Row};
use uuid::Uuid;

use super::{opt_uuid, uuid};
use crate::extract::names::Person;
use quorum_service::Failure;

/// Creates or refreshes the meeting row. Run first in a consumer's transaction: the row
/// lock it takes serialises the consumers of one meeting, so the dedupe check that follows
/// sees every todo the other consumer committed.
pub(crate) async fn upsert(
    conn: &mut AnyConnection,
    meeting: Uuid,
    owner: Option<Uuid>,
    title: &str,
    now: i64,
) -> Result<(), Failure> {
    sqlx::query(
        "INSERT INTO meetings (meeting_id, owner_id, title, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (meeting_id) DO UPDATE SET \
         owner_id = COALESCE(excluded.owner_id, meetings.owner_id), \
         title = excluded.title, updated_at = excluded.updated_at",
    )
    .bind(meeting.to_string())
    .bind(owner.map(|o| o.to_string()))
    .bind(title)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Remembers a meeting announced before it ended (`meeting.created`, `meeting.started`):
/// a new row, or the owner filled in on a row that lacks one. A title already known is kept
/// (`meeting.ended`, which may be handled first, carries the final one).
pub(crate) async fn learn(
    conn: &mut AnyConnection,
    meeting: Uuid,
    owner: Uuid,
    title: &str,
    now: i64,
) -> Result<(), Failure> {
    sqlx::query(
        "INSERT INTO meetings (meeting_id, owner_id, title, updated_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (meeting_id) DO UPDATE SET \
         owner_id = COALESCE(meetings.owner_id, excluded.owner_id)",
    )
    .bind(meeting.to_string())
    .bind(owner.to_string())
    .bind(title)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}

/// Deletes everything kept for a deleted meeting: its todos with their status history, its
/// participants and its row. Returns the users whose lists and stats may have shown it (the
/// todos' assignees and creators, and the participants).
pub(crate) async fn delete(
    conn: &mut AnyConnection,
    meeting: Uuid,
) -> Result<BTreeSet<Uuid>, Failure> {
    let id = meeting.to_string();
    let rows = sqlx::query(
        "SELECT assignee_id AS user_id FROM todos WHERE meeting_id = $1 \
         UNION SELECT created_by FROM todos WHERE meeting_id = $1 \
         UNION SELECT user_id FROM meeting_participants WHERE meeting_id = $1",
    )
    .bind(&id)
    .fetch_all(&mut *conn)
    .await?;
    let mut users = BTreeSet::new();
    for row in rows {
        if let Some(user) = opt_uuid(row.try_get("user_id")?)? {
            users.insert(user);
        }
    }
    for sql in [
        "DELETE FROM todo_status_history WHERE todo_id IN \
         (SELECT id FROM todos WHERE meeting_id = $1)",
        "DELETE FROM todos WHERE meeting_id = $1",
        "DELETE FROM deleted_todos WHERE meeting_id = $1",
        "DELETE FROM meeting_participants WHERE meeting_id = $1",
        "DELETE FROM meetings WHERE meeting_id = $1",
    ] {
        sqlx::query(sql).bind(&id).execute(&mut *conn).await?;
    }
    Ok(users)
}

/// The meeting's owner: `None` when the meeting is unknown, `Some(None)` when known without
/// an owner yet.
pub(crate) async fn owner(
    conn: &mut AnyConnection,
    meeting: Uuid,
) -> Result<Option<Option<Uuid>>, Failure> {
    let row = sqlx::query("SELECT owner_id FROM meetings WHERE meeting_id = $1")
        .bind(meeting.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|r| opt_uuid(r.try_get("owner_id")?)).transpose()
}

/// Adds participants (a name is only written when the row is new or the new one is not
/// empty).
pub(crate) async fn add_participants(
    conn: &mut AnyConnection,
    meeting: Uuid,
    people: &[Person],
) -> Result<(), Failure> {
    for p in people {
        sqlx::query(
            "INSERT INTO meeting_participants (meeting_id, user_id, name) VALUES ($1, $2, $3) \
             ON CONFLICT (meeting_id, user_id) DO UPDATE SET name = excluded.name \
             WHERE excluded.name <> ''",
        )
        .bind(meeting.to_string())
        .bind(p.id.to_string())
        .bind(&p.name)
        .execute(&mut *conn)
        .await?;
    }
    Ok(())
}

/// The participants with names (the event's, else the directory's).
pub(crate) async fn people(
    conn: &mut AnyConnection,
    meeting: Uuid,
) -> Result<Vec<Person>, Failure> {
    let rows = sqlx::query(
        "SELECT p.user_id, p.name, d.name AS directory_name FROM meeting_participants p \
         LEFT JOIN live_users d ON d.user_id = p.user_id WHERE p.meeting_id = $1 \
         ORDER BY p.user_id",
    )
    .bind(meeting.to_string())
    .fetch_all(conn)
    .await?;
    rows.iter()
        .map(|r| {
            let own: String = r.try_get("name")?;
            let directory: Option<String> = r.try_get("directory_name")?;
            Ok(Person {
                id: uuid(&r.try_get::<String, _>("user_id")?)?,
                name: if own.is_empty() {
                    directory.unwrap_or_default()
                } else {
                    own
                },
            })
        })
        .collect()
}

pub(crate) async fn is_participant(
    conn: &mut AnyConnection,
    meeting: Uuid,
    user: Uuid,
) -> Result<bool, Failure> {
    Ok(
        sqlx::query("SELECT 1 FROM meeting_participants WHERE meeting_id = $1 AND user_id = $2")
            .bind(meeting.to_string())
            .bind(user.to_string())
            .fetch_optional(conn)
            .await?
            .is_some(),
    )
}

/// The directory's name for `user`, if it knows them.
pub(crate) async fn user_name(
    conn: &mut AnyConnection,
    user: Uuid,
) -> Result<Option<String>, Failure> {
    Ok(
        sqlx::query_scalar("SELECT name FROM live_users WHERE user_id = $1")
            .bind(user.to_string())
            .fetch_optional(conn)
            .await?,
    )
}

/// Users whose lists show a todo assigned to `user` (to refresh names after a rename).
pub(crate) async fn creators_of_assigned(
    conn: &mut AnyConnection,
    user: Uuid,
) -> Result<Vec<Uuid>, Failure> {
    let ids: Vec<String> = sqlx::query_scalar(
        "SELECT DISTINCT created_by FROM todos WHERE assignee_id = $1 AND created_by IS NOT NULL",
    )
    .bind(user.to_string())
    .fetch_all(conn)
    .await?;
    ids.iter().map(|s| uuid(s)).collect()
}
