//! The `email_changes` table: one pending change of address per user, with the hash of the
//! code that confirms it.

use quorum_store::{StoreError, Tx};

/// A change of address waiting for its code.
#[derive(Debug, Clone)]
pub(crate) struct Pending {
    pub(crate) email: String,
    pub(crate) email_key: String,
    pub(crate) code_hash: String,
    pub(crate) attempts: i64,
    pub(crate) expires_at: i64,
}

/// Replaces the pending change of `user_id` (a new request voids the previous code).
pub(crate) async fn put(
    tx: &mut Tx,
    user_id: &str,
    pending: &Pending,
    now: i64,
) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM email_changes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    sqlx::query(
        "INSERT INTO email_changes (user_id, email, email_key, code_hash, attempts, expires_at, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(user_id)
    .bind(&pending.email)
    .bind(&pending.email_key)
    .bind(&pending.code_hash)
    .bind(pending.attempts)
    .bind(pending.expires_at)
    .bind(now)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

pub(crate) async fn find(tx: &mut Tx, user_id: &str) -> Result<Option<Pending>, StoreError> {
    let row: Option<(String, String, String, i64, i64)> = sqlx::query_as(
        "SELECT email, email_key, code_hash, attempts, expires_at FROM email_changes \
         WHERE user_id = $1",
    )
    .bind(user_id)
    .fetch_optional(&mut **tx)
    .await?;
    Ok(row.map(
        |(email, email_key, code_hash, attempts, expires_at)| Pending {
            email,
            email_key,
            code_hash,
            attempts,
            expires_at,
        },
    ))
}

/// Counts a wrong code.
pub(crate) async fn count_attempt(tx: &mut Tx, user_id: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE email_changes SET attempts = attempts + 1 WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

pub(crate) async fn delete(tx: &mut Tx, user_id: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM email_changes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}
