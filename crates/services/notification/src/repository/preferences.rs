//! Stored preferences: one JSON document per user who changed the defaults.

use quorum_store::sqlx::{self, AnyConnection};
use uuid::Uuid;

use crate::domain::Preferences;
use quorum_service::Failure;

/// `user`'s preferences (the defaults when never set).
pub(crate) async fn get(conn: &mut AnyConnection, user: Uuid) -> Result<Preferences, Failure> {
    let stored: Option<String> =
        sqlx::query_scalar("SELECT settings FROM preferences WHERE user_id = $1")
            .bind(user.to_string())
            .fetch_optional(conn)
            .await?;
    match stored {
        None => Ok(Preferences::default()),
        Some(json) => Preferences::from_stored(&json)
            .map_err(|e| Failure::corrupt(format!("preferences of {user}: {e}"))),
    }
}

pub(crate) async fn put(
    conn: &mut AnyConnection,
    user: Uuid,
    prefs: &Preferences,
    now: i64,
) -> Result<(), Failure> {
    let json = serde_json::to_string(prefs).map_err(|e| Failure::corrupt(e.to_string()))?;
    sqlx::query(
        "INSERT INTO preferences (user_id, settings, updated_at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id) DO UPDATE SET settings = excluded.settings, \
         updated_at = excluded.updated_at",
    )
    .bind(user.to_string())
    .bind(json)
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
