//! In-app notifications.

use quorum_store::sqlx::{self, any::AnyRow, AnyConnection, Row as _};
use uuid::Uuid;

use super::uuid;
use quorum_service::column::opt_uuid;
use quorum_service::Failure;

/// A notification row (timestamps in epoch millis).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct NotificationRecord {
    pub(crate) id: Uuid,
    pub(crate) event_id: Uuid,
    pub(crate) user_id: Uuid,
    pub(crate) kind: String,
    pub(crate) title: String,
    pub(crate) body: String,
    pub(crate) link: Option<String>,
    pub(crate) data: serde_json::Value,
    pub(crate) created_at: i64,
    pub(crate) read_at: Option<i64>,
    /// The meeting it is about, if any (its deletion deletes the notification).
    pub(crate) meeting_id: Option<Uuid>,
}

const COLS: &str =
    "id, event_id, user_id, kind, title, body, link, data, created_at, read_at, meeting_id";

fn from_row(r: &AnyRow) -> Result<NotificationRecord, Failure> {
    let data: String = r.try_get("data")?;
    Ok(NotificationRecord {
        id: uuid(&r.try_get::<String, _>("id")?)?,
        event_id: uuid(&r.try_get::<String, _>("event_id")?)?,
        user_id: uuid(&r.try_get::<String, _>("user_id")?)?,
        kind: r.try_get("kind")?,
        title: r.try_get("title")?,
        body: r.try_get("body")?,
        link: r.try_get("link")?,
        data: serde_json::from_str(&data).map_err(|e| Failure::corrupt(e.to_string()))?,
        created_at: r.try_get("created_at")?,
        read_at: r.try_get("read_at")?,
        meeting_id: opt_uuid(r.try_get("meeting_id")?)?,
    })
}

/// Inserts `n` unless this event already notified this user; returns whether it did.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    n: &NotificationRecord,
) -> Result<bool, Failure> {
    let done = sqlx::query(&format!(
        "INSERT INTO notifications ({COLS}) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT DO NOTHING"
    ))
    .bind(n.id.to_string())
    .bind(n.event_id.to_string())
    .bind(n.user_id.to_string())
    .bind(&n.kind)
    .bind(&n.title)
    .bind(&n.body)
    .bind(n.link.clone())
    .bind(n.data.to_string())
    .bind(n.created_at)
    .bind(n.read_at)
    .bind(n.meeting_id.map(|m| m.to_string()))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes every notification about `meeting`; how many.
pub(crate) async fn delete_for_meeting(
    conn: &mut AnyConnection,
    meeting: Uuid,
) -> Result<u64, Failure> {
    let done = sqlx::query("DELETE FROM notifications WHERE meeting_id = $1")
        .bind(meeting.to_string())
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// One page of `user`'s notifications, newest first, and how many there are in all.
pub(crate) async fn list(
    conn: &mut AnyConnection,
    user: Uuid,
    unread_only: bool,
    limit: i64,
    offset: i64,
) -> Result<(Vec<NotificationRecord>, u64), Failure> {
    let filter = if unread_only {
        "user_id = $1 AND read_at IS NULL"
    } else {
        "user_id = $1"
    };
    let (total,): (i64,) = sqlx::query_as(&format!(
        "SELECT COUNT(*) FROM notifications WHERE {filter}"
    ))
    .bind(user.to_string())
    .fetch_one(&mut *conn)
    .await?;
    let rows = sqlx::query(&format!(
        "SELECT {COLS} FROM notifications WHERE {filter} \
         ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3"
    ))
    .bind(user.to_string())
    .bind(limit)
    .bind(offset)
    .fetch_all(conn)
    .await?;
    let items = rows.iter().map(from_row).collect::<Result<_, _>>()?;
    Ok((items, u64::try_from(total).unwrap_or(0)))
}

/// Marks `id` read if it is `user`'s (keeping the first read time); false when it is not.
/// Marks every unread notification of `user` created up to `now` read; how many.
pub(crate) async fn mark_all_read(
    conn: &mut AnyConnection,
    user: Uuid,
    now: i64,
) -> Result<u64, Failure> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = $1 \
         WHERE user_id = $2 AND read_at IS NULL AND created_at <= $1",
    )
    .bind(now)
    .bind(user.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected())
}

pub(crate) async fn mark_read(
    conn: &mut AnyConnection,
    user: Uuid,
    id: Uuid,
    now: i64,
) -> Result<bool, Failure> {
    let done = sqlx::query(
        "UPDATE notifications SET read_at = COALESCE(read_at, $1) WHERE id = $2 AND user_id = $3",
    )
    .bind(now)
    .bind(id.to_string())
    .bind(user.to_string())
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}
