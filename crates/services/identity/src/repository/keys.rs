//! The `signing_keys` table (private keys as base64 PKCS#8).

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use chrono::{DateTime, Utc};
use quorum_auth::SigningKey;
use quorum_store::{Db, StoreError};
use sqlx::Row as _;

fn at(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Every stored key; rows with unreadable key material are skipped with an error log.
pub(crate) async fn load(db: &Db) -> Result<Vec<SigningKey>, StoreError> {
    let rows = sqlx::query(
        "SELECT kid, pkcs8, created_at, activates_at, retired_at FROM signing_keys
         ORDER BY activates_at",
    )
    .fetch_all(db.writer())
    .await?;
    let mut keys = Vec::with_capacity(rows.len());
    for row in rows {
        let kid: String = row.try_get(0)?;
        let encoded: String = row.try_get(1)?;
        let Ok(pkcs8) = STANDARD.decode(encoded.as_bytes()) else {
            tracing::error!(%kid, "signing key is not valid base64; skipped");
            continue;
        };
        let retired: Option<i64> = row.try_get(4)?;
        keys.push(SigningKey {
            kid,
            pkcs8,
            created_at: at(row.try_get(2)?),
            activates_at: at(row.try_get(3)?),
            retired_at: retired.map(at),
        });
    }
    Ok(keys)
}

/// Inserts the key or updates its retirement.
pub(crate) async fn upsert(db: &Db, key: &SigningKey) -> Result<(), StoreError> {
    sqlx::query(
        "INSERT INTO signing_keys (kid, pkcs8, created_at, activates_at, retired_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (kid) DO UPDATE SET retired_at = excluded.retired_at",
    )
    .bind(&key.kid)
    .bind(STANDARD.encode(&key.pkcs8))
    .bind(key.created_at.timestamp_millis())
    .bind(key.activates_at.timestamp_millis())
    .bind(key.retired_at.map(|t| t.timestamp_millis()))
    .execute(db.writer())
    .await?;
    Ok(())
}

pub(crate) async fn delete(db: &Db, kid: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM signing_keys WHERE kid = $1")
        .bind(kid)
        .execute(db.writer())
        .await?;
    Ok(())
}
