//! Signing keys: loaded from (or created in) the database at start-up, rotated by a
//! background task. Keys live in the identity database so restarts and replicas share them,
//! encrypted at rest when `identity.key_encryption_key` is set (`quorum_auth::KeySeal`).
//!
//! Every `rotation_check_secs` the task reloads the keys (another replica may have rotated),
//! starts a rotation when the signing key has signed for `rotation_days` (the new key is
//! published `rotation_lead_secs` before it signs, see `quorum_auth::KeyRing`), and drops
//! keys that are no longer published.

use std::sync::Arc;

use chrono::{DateTime, Utc};
use quorum_auth::{JwtConfig, KeyRing, KeySeal, SigningKey};
use quorum_store::Db;
use tokio_util::sync::CancellationToken;

use crate::error::BuildError;
use crate::repository::keys::{self as repo, KeyStoreError, Stored};
use crate::settings::Settings;

/// How the keys are stored: sealed under `identity.key_encryption_key` when it is set.
fn key_seal(settings: &Settings) -> Result<KeySeal, KeyStoreError> {
    Ok(KeySeal::from_base64(settings.key_encryption_key.expose())?)
}

/// Loads the stored keys, creating the first one on a fresh database. With an encryption
/// key set, keys stored plain (before it was) are sealed now; a sealed key that does not
/// open (no key, a wrong one) stops the start-up, naming the setting.
pub(crate) async fn load_or_create(
    db: &Db,
    settings: &Settings,
) -> Result<Arc<KeyRing>, BuildError> {
    let keys_error = |e: KeyStoreError| BuildError::Keys(e.to_string());
    let seal = key_seal(settings).map_err(keys_error)?;
    let stored = repo::load(db, &seal).await.map_err(keys_error)?;
    let mut keys = Vec::with_capacity(stored.len());
    for Stored { key, sealed } in stored {
        if seal.is_on() && !sealed {
            repo::reseal(db, &seal, &key).await.map_err(keys_error)?;
            tracing::info!(kid = %key.kid, "signing key encrypted at rest");
        }
        keys.push(key);
    }
    if keys.is_empty() {
        let key = SigningKey::generate(Utc::now()).map_err(|e| BuildError::Keys(e.to_string()))?;
        repo::upsert(db, &seal, &key).await.map_err(keys_error)?;
        tracing::info!(kid = %key.kid, "created the first signing key");
        keys.push(key);
    }
    let config = JwtConfig {
        issuer: settings.issuer.clone(),
        audience: settings.audience.clone(),
        access_ttl: settings.access_ttl(),
        refresh_ttl: settings.refresh_ttl(),
    };
    let ring = KeyRing::new(config, keys)
        .map_err(|e| BuildError::Keys(e.to_string()))?
        .with_rotation_lead(settings.rotation_lead());
    Ok(Arc::new(ring))
}

/// Whether the signing key has served its period and no successor is pending yet.
pub(crate) fn rotation_due(ring: &KeyRing, now: DateTime<Utc>, settings: &Settings) -> bool {
    let pending = ring
        .keys()
        .iter()
        .any(|k| k.activates_at > now && k.retired_at.is_none());
    let period =
        chrono::Duration::from_std(settings.rotation_period()).unwrap_or(chrono::Duration::MAX);
    match ring.signing_key_at(now) {
        Some(current) => {
            !pending
                && current
                    .activates_at
                    .checked_add_signed(period)
                    .is_some_and(|t| t <= now)
        }
        None => false,
    }
}

/// Puts the stored keys (written by any instance) into the ring.
async fn reload(db: &Db, ring: &KeyRing, seal: &KeySeal) -> anyhow::Result<()> {
    let stored: Vec<SigningKey> = repo::load(db, seal)
        .await?
        .into_iter()
        .map(|s| s.key)
        .collect();
    if !stored.is_empty() {
        ring.set_keys(stored)?;
    }
    Ok(())
}

/// One pass of the rotation task.
pub(crate) async fn tick(
    db: &Db,
    ring: &KeyRing,
    settings: &Settings,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let seal = key_seal(settings)?;
    reload(db, ring, &seal).await?;
    if rotation_due(ring, now, settings) {
        let changed = ring.rotate(now)?;
        for key in &changed {
            repo::upsert(db, &seal, key).await?;
        }
        if let Some(new) = changed.first() {
            tracing::info!(kid = %new.kid, activates_at = %new.activates_at, "signing key rotation started");
        }
    }
    for kid in ring.prune(now) {
        repo::delete(db, &kid).await?;
        tracing::info!(%kid, "retired signing key unpublished");
    }
    Ok(())
}

/// Reloads the stored keys every `rotation_check_secs`, rotating nothing: for read-only
/// instances, which publish the JWKS that another instance's rotation changes.
pub(crate) fn spawn_refresh(
    db: Db,
    ring: Arc<KeyRing>,
    settings: Arc<Settings>,
    shutdown: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    let every = settings.clone();
    spawn_every(&every, shutdown, move || {
        let (db, ring, settings) = (db.clone(), ring.clone(), settings.clone());
        async move { reload(&db, &ring, &key_seal(&settings)?).await }
    })
}

pub(crate) fn spawn_rotation(
    db: Db,
    ring: Arc<KeyRing>,
    settings: Arc<Settings>,
    shutdown: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    let every = settings.clone();
    spawn_every(&every, shutdown, move || {
        let (db, ring, settings) = (db.clone(), ring.clone(), settings.clone());
        async move { tick(&db, &ring, &settings, Utc::now()).await }
    })
}

/// Runs `pass` every `rotation_check_secs` until `shutdown`; a failed pass is logged and
/// retried at the next one.
fn spawn_every<F, Fut>(
    settings: &Settings,
    shutdown: CancellationToken,
    mut pass: F,
) -> tokio::task::JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = anyhow::Result<()>> + Send,
{
    let period = settings.rotation_check();
    tokio::spawn(async move {
        let mut every = tokio::time::interval(period);
        every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            tokio::select! {
                () = shutdown.cancelled() => break,
                _ = every.tick() => {
                    if let Err(e) = pass().await {
                        tracing::warn!(error = %format!("{e:#}"), "signing key maintenance failed; will retry");
                    }
                }
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn keys_persist_rotate_and_prune() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_sqlite(&dir.path().join("id.db"), &Default::default())
            .await
            .unwrap();
        db.migrate("identity", crate::migrations::MIGRATIONS)
            .await
            .unwrap();
        let settings = Settings {
            rotation_days: 1,
            rotation_lead_secs: 60,
            ..Settings::default()
        };

        let ring = load_or_create(&db, &settings).await.unwrap();
        let first = ring.keys()[0].kid.clone();
        // A restart finds the same key.
        assert_eq!(
            load_or_create(&db, &settings).await.unwrap().keys()[0].kid,
            first
        );

        let now = Utc::now();
        assert!(!rotation_due(&ring, now, &settings));
        let later = now + chrono::Duration::days(1) + chrono::Duration::seconds(1);
        assert!(rotation_due(&ring, later, &settings));
        tick(&db, &ring, &settings, later).await.unwrap();
        let off = KeySeal::default();
        assert_eq!(repo::load(&db, &off).await.unwrap().len(), 2);
        assert!(
            !rotation_due(&ring, later, &settings),
            "a rotation is pending"
        );
        let kids: Vec<_> = ring
            .jwks_at(later)
            .keys
            .into_iter()
            .map(|k| k.kid)
            .collect();
        assert_eq!(kids.len(), 2);

        // Long after the switch the old key is no longer published and is deleted.
        let much_later = later + chrono::Duration::hours(2);
        tick(&db, &ring, &settings, much_later).await.unwrap();
        let stored = repo::load(&db, &off).await.unwrap();
        assert_eq!(stored.len(), 1);
        assert_ne!(stored[0].key.kid, first);
    }

    /// The raw `pkcs8` column of every stored key.
    async fn stored_column(db: &Db) -> Vec<String> {
        sqlx::query_scalar("SELECT pkcs8 FROM signing_keys")
            .fetch_all(db.writer())
            .await
            .unwrap()
    }

    #[tokio::test]
    async fn with_an_encryption_key_the_keys_are_sealed_and_a_wrong_key_stops_the_start() {
        let dir = tempfile::tempdir().unwrap();
        let db = Db::open_sqlite(&dir.path().join("id.db"), &Default::default())
            .await
            .unwrap();
        db.migrate("identity", crate::migrations::MIGRATIONS)
            .await
            .unwrap();
        // A key stored plain, as before encryption was configured.
        let plain = load_or_create(&db, &Settings::default()).await.unwrap();
        let jwks = plain.jwks();
        assert!(!stored_column(&db).await[0].starts_with(quorum_auth::SEALED_PREFIX));

        let sealed = Settings {
            key_encryption_key: "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=".into(),
            ..Settings::default()
        };
        let ring = load_or_create(&db, &sealed).await.unwrap();
        assert_eq!(ring.jwks(), jwks, "the same key, now sealed");
        let column = stored_column(&db).await;
        assert!(
            column[0].starts_with(quorum_auth::SEALED_PREFIX),
            "{column:?}"
        );
        // Restarts with the key work; new keys are sealed too.
        load_or_create(&db, &sealed).await.unwrap();

        for (settings, says) in [
            (Settings::default(), "no encryption key is set"),
            (
                Settings {
                    key_encryption_key: "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=".into(),
                    ..Settings::default()
                },
                "cannot be decrypted",
            ),
            (
                Settings {
                    key_encryption_key: "too-short".into(),
                    ..Settings::default()
                },
                "32 bytes in base64",
            ),
        ] {
            let err = load_or_create(&db, &settings)
                .await
                .unwrap_err()
                .to_string();
            assert!(err.contains(says), "{err}");
            assert!(err.contains("QUORUM_IDENTITY__KEY_ENCRYPTION_KEY"), "{err}");
        }
    }
}
