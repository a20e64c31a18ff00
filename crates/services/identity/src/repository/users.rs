//! The `users` table.

use quorum_store::{Db, Row, StoreError, Tx};
use sqlx::Row as _;

/// A stored user, password hash included (never leaves the service).
#[derive(Debug, Clone)]
pub(crate) struct UserRecord {
    pub(crate) id: String,
    pub(crate) email: String,
    pub(crate) name: String,
    pub(crate) locale: Option<String>,
    /// An IANA time zone name (`Asia/Seoul`); `None` for the server's.
    pub(crate) time_zone: Option<String>,
    pub(crate) password_hash: String,
    pub(crate) created_at: i64,
    pub(crate) updated_at: i64,
}

const COLUMNS: &str = "id, email, name, locale, time_zone, password_hash, created_at, updated_at";

fn from_row(row: &Row) -> Result<UserRecord, sqlx::Error> {
    Ok(UserRecord {
        id: row.try_get("id")?,
        email: row.try_get("email")?,
        name: row.try_get("name")?,
        locale: row.try_get("locale")?,
        time_zone: row.try_get("time_zone")?,
        password_hash: row.try_get("password_hash")?,
        created_at: row.try_get("created_at")?,
        updated_at: row.try_get("updated_at")?,
    })
}

/// Inserts a user; a taken e-mail is a unique violation.
pub(crate) async fn insert(
    tx: &mut Tx,
    user: &UserRecord,
    email_key: &str,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO users (id, email, email_key, name, locale, password_hash, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&user.id)
    .bind(&user.email)
    .bind(email_key)
    .bind(&user.name)
    .bind(&user.locale)
    .bind(&user.password_hash)
    .bind(user.created_at)
    .bind(user.updated_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn email_exists(db: &Db, email_key: &str) -> Result<bool, StoreError> {
    let row = sqlx::query("SELECT 1 AS one FROM users WHERE email_key = $1")
        .bind(email_key)
        .fetch_optional(db.reader())
        .await?;
    Ok(row.is_some())
}

pub(crate) async fn find_by_email(
    db: &Db,
    email_key: &str,
) -> Result<Option<UserRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE email_key = $1");
    let row = sqlx::query(&sql)
        .bind(email_key)
        .fetch_optional(db.reader())
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

pub(crate) async fn find_by_id(db: &Db, id: &str) -> Result<Option<UserRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(db.reader())
        .await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// Up to `limit` users (id, name) whose name contains `part`, case-insensitively, in name
/// order, `except` left out. A scan of the table: a team's directory, not a city's.
pub(crate) async fn search_by_name(
    db: &Db,
    part: &str,
    except: &str,
    limit: i64,
) -> Result<Vec<(String, String)>, StoreError> {
    let escaped = part
        .to_lowercase()
        .replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_");
    let rows = sqlx::query(
        "SELECT id, name FROM users WHERE LOWER(name) LIKE $1 ESCAPE '\\' AND id <> $2 \
         ORDER BY name, id LIMIT $3",
    )
    .bind(format!("%{escaped}%"))
    .bind(except)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("id")?, r.try_get("name")?)))
        .collect::<Result<_, sqlx::Error>>()
        .map_err(Into::into)
}

/// Reads a user inside a write transaction (for read-modify-write).
pub(crate) async fn find_for_update(
    tx: &mut Tx,
    id: &str,
) -> Result<Option<UserRecord>, StoreError> {
    let sql = format!("SELECT {COLUMNS} FROM users WHERE id = $1");
    let row = sqlx::query(&sql).bind(id).fetch_optional(&mut **tx).await?;
    Ok(row.as_ref().map(from_row).transpose()?)
}

/// Writes name, e-mail, locale and time zone; a taken e-mail is a unique violation.
pub(crate) async fn update(
    tx: &mut Tx,
    user: &UserRecord,
    email_key: &str,
) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE users SET email = $2, email_key = $3, name = $4, locale = $5, updated_at = $6,
         time_zone = $7 WHERE id = $1",
    )
    .bind(&user.id)
    .bind(&user.email)
    .bind(email_key)
    .bind(&user.name)
    .bind(&user.locale)
    .bind(user.updated_at)
    .bind(&user.time_zone)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// Replaces the password hash.
pub(crate) async fn set_password(
    tx: &mut Tx,
    id: &str,
    hash: &str,
    now: i64,
) -> Result<u64, StoreError> {
    let done = sqlx::query("UPDATE users SET password_hash = $2, updated_at = $3 WHERE id = $1")
        .bind(id)
        .bind(hash)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}

pub(crate) async fn delete(tx: &mut Tx, id: &str) -> Result<u64, StoreError> {
    let done = sqlx::query("DELETE FROM users WHERE id = $1")
        .bind(id)
        .execute(&mut **tx)
        .await?;
    Ok(done.rows_affected())
}
