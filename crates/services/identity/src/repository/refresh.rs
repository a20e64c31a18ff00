//! Refresh-token families: every login starts a family; every refresh spends one token and
//! adds the next. A spent token presented again revokes its family.

use quorum_store::{StoreError, Tx};
use sqlx::Row as _;

/// A stored refresh token with its family's state.
#[derive(Debug, Clone)]
pub(crate) struct TokenRecord {
    pub(crate) family_id: String,
    pub(crate) user_id: String,
    pub(crate) expires_at: i64,
    pub(crate) spent_at: Option<i64>,
    pub(crate) family_revoked_at: Option<i64>,
}

pub(crate) async fn insert_family(
    tx: &mut Tx,
    family_id: &str,
    user_id: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("INSERT INTO refresh_families (id, user_id, created_at) VALUES ($1, $2, $3)")
        .bind(family_id)
        .bind(user_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn insert_token(
    tx: &mut Tx,
    hash: &str,
    family_id: &str,
    user_id: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO refresh_tokens (token_hash, family_id, user_id, created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(hash)
    .bind(family_id)
    .bind(user_id)
    .bind(now)
    .bind(expires_at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn find(tx: &mut Tx, hash: &str) -> Result<Option<TokenRecord>, StoreError> {
    let row = sqlx::query(
        "SELECT t.family_id, t.user_id, t.expires_at, t.spent_at, f.revoked_at
         FROM refresh_tokens t JOIN refresh_families f ON f.id = t.family_id
         WHERE t.token_hash = $1",
    )
    .bind(hash)
    .fetch_optional(&mut **tx)
    .await?;
    let Some(row) = row else { return Ok(None) };
    Ok(Some(TokenRecord {
        family_id: row.try_get(0)?,
        user_id: row.try_get(1)?,
        expires_at: row.try_get(2)?,
        spent_at: row.try_get(3)?,
        family_revoked_at: row.try_get(4)?,
    }))
}

/// Marks the token spent; 0 rows when someone spent it first (a concurrent reuse).
pub(crate) async fn spend(tx: &mut Tx, hash: &str, now: i64) -> Result<u64, StoreError> {
    let done = sqlx::query(
        "UPDATE refresh_tokens SET spent_at = $2 WHERE token_hash = $1 AND spent_at IS NULL",
    )
    .bind(hash)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

pub(crate) async fn revoke_family(
    tx: &mut Tx,
    family_id: &str,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("UPDATE refresh_families SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
        .bind(family_id)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// The unrevoked families of `user_id` that issued a pair at or after `since` (epoch ms):
/// those whose access tokens may not have expired yet.
pub(crate) async fn recent_families(
    tx: &mut Tx,
    user_id: &str,
    since: i64,
) -> Result<Vec<String>, StoreError> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT t.family_id FROM refresh_tokens t \
         JOIN refresh_families f ON f.id = t.family_id \
         WHERE t.user_id = $1 AND t.created_at >= $2 AND f.revoked_at IS NULL",
    )
    .bind(user_id)
    .bind(since)
    .fetch_all(&mut **tx)
    .await?;
    Ok(rows.into_iter().map(|(f,)| f).collect())
}

/// Revokes every family of `user_id` (sign-out everywhere, password change, deletion).
pub(crate) async fn revoke_user(tx: &mut Tx, user_id: &str, now: i64) -> Result<(), StoreError> {
    sqlx::query(
        "UPDATE refresh_families SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL",
    )
    .bind(user_id)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}
