//! The contact list, kept from `user.*` events. Events for one user may arrive out of order
//! (several workers, redeliveries), so a change only wins over a row whose `updated_at` (the
//! event's `occurredAt`) is not newer; a deletion leaves a tombstone.

use quorum_store::sqlx::{self, AnyConnection, Row as _};
use uuid::Uuid;

use crate::error::ApiError;

/// How to reach a user.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Contact {
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) locale: Option<String>,
}

pub(crate) async fn upsert(
    conn: &mut AnyConnection,
    user: Uuid,
    c: &Contact,
    at: i64,
) -> Result<(), ApiError> {
    sqlx::query(
        "INSERT INTO contacts (user_id, email, name, locale, deleted, updated_at) \
         VALUES ($1, $2, $3, $4, 0, $5) \
         ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, name = excluded.name, \
         locale = excluded.locale, deleted = 0, updated_at = excluded.updated_at \
         WHERE contacts.updated_at <= excluded.updated_at AND contacts.deleted = 0",
    )
    .bind(user.to_string())
    .bind(&c.email)
    .bind(&c.name)
    .bind(c.locale.clone())
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// Forgets the user's address and name, keeping a tombstone.
pub(crate) async fn delete(conn: &mut AnyConnection, user: Uuid, at: i64) -> Result<(), ApiError> {
    sqlx::query(
        "INSERT INTO contacts (user_id, email, name, locale, deleted, updated_at) \
         VALUES ($1, '', '', NULL, 1, $2) \
         ON CONFLICT (user_id) DO UPDATE SET email = '', name = '', locale = NULL, \
         deleted = 1, updated_at = excluded.updated_at",
    )
    .bind(user.to_string())
    .bind(at)
    .execute(conn)
    .await?;
    Ok(())
}

/// The live contact of `user`, if known and not deleted.
pub(crate) async fn find(
    conn: &mut AnyConnection,
    user: Uuid,
) -> Result<Option<Contact>, ApiError> {
    let row =
        sqlx::query("SELECT email, name, locale FROM contacts WHERE user_id = $1 AND deleted = 0")
            .bind(user.to_string())
            .fetch_optional(conn)
            .await?;
    row.map(|r| {
        Ok(Contact {
            email: r.try_get("email")?,
            name: r.try_get("name")?,
            locale: r.try_get("locale")?,
        })
    })
    .transpose()
}
