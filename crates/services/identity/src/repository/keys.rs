//! The `signing_keys` table: private keys as base64 PKCS#8, sealed (AES-256-GCM) when
//! `identity.key_encryption_key` is set (`quorum_auth::KeySeal`).

use chrono::{DateTime, Utc};
use quorum_auth::{KeySeal, SealError, SigningKey};
use quorum_store::{Db, StoreError};
use sqlx::Row as _;

/// Why the keys could not be read or written.
#[derive(Debug, thiserror::Error)]
pub(crate) enum KeyStoreError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error("{0}; the encryption key is `identity.key_encryption_key` (QUORUM_IDENTITY__KEY_ENCRYPTION_KEY)")]
    Seal(#[from] SealError),
}

impl From<sqlx::Error> for KeyStoreError {
    fn from(e: sqlx::Error) -> Self {
        Self::Store(e.into())
    }
}

/// A stored key, and whether it is sealed at rest.
pub(crate) struct Stored {
    pub(crate) key: SigningKey,
    pub(crate) sealed: bool,
}

fn at(millis: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(millis).unwrap_or(DateTime::<Utc>::MIN_UTC)
}

/// Every stored key. Rows whose key material is not even base64 are skipped with an error
/// log; a sealed key that `seal` cannot open (no key, a wrong key) is an error.
pub(crate) async fn load(db: &Db, seal: &KeySeal) -> Result<Vec<Stored>, KeyStoreError> {
    let rows = sqlx::query(
        "SELECT kid, pkcs8, created_at, activates_at, retired_at FROM signing_keys
         ORDER BY activates_at",
    )
    .fetch_all(db.writer())
    .await?;
    let mut keys = Vec::with_capacity(rows.len());
    for row in rows {
        let kid: String = row.try_get(0)?;
        let stored: String = row.try_get(1)?;
        let opened = match seal.open(&kid, &stored) {
            Ok(opened) => opened,
            Err(SealError::Corrupt(_)) => {
                tracing::error!(%kid, "signing key is stored unreadably; skipped");
                continue;
            }
            Err(e) => return Err(e.into()),
        };
        let retired: Option<i64> = row.try_get(4)?;
        keys.push(Stored {
            key: SigningKey {
                kid,
                pkcs8: opened.pkcs8,
                created_at: at(row.try_get(2)?),
                activates_at: at(row.try_get(3)?),
                retired_at: retired.map(at),
            },
            sealed: opened.was_sealed,
        });
    }
    Ok(keys)
}

/// Inserts the key (sealed when sealing is on) or updates its retirement.
pub(crate) async fn upsert(db: &Db, seal: &KeySeal, key: &SigningKey) -> Result<(), KeyStoreError> {
    sqlx::query(
        "INSERT INTO signing_keys (kid, pkcs8, created_at, activates_at, retired_at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT (kid) DO UPDATE SET retired_at = excluded.retired_at",
    )
    .bind(&key.kid)
    .bind(seal.seal(&key.kid, &key.pkcs8)?)
    .bind(key.created_at.timestamp_millis())
    .bind(key.activates_at.timestamp_millis())
    .bind(key.retired_at.map(|t| t.timestamp_millis()))
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Stores `key` again as `seal` stores it (a plain key sealed).
pub(crate) async fn reseal(db: &Db, seal: &KeySeal, key: &SigningKey) -> Result<(), KeyStoreError> {
    sqlx::query("UPDATE signing_keys SET pkcs8 = $1 WHERE kid = $2")
        .bind(seal.seal(&key.kid, &key.pkcs8)?)
        .bind(&key.kid)
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
