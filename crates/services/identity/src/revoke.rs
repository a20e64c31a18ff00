//! Ending sessions and access tokens before they expire.
//!
//! A revocation goes three ways at once: into the [`RevocationList`] (every gateway of the
//! deployment refuses it from then on), into `revoked_tokens` (a restarted process puts it
//! back into the list), and out as `auth.token_revoked` (in the caller's transaction). Its
//! key is the token's `jti`, or [`session_key`]`(family)` for every access token of a
//! session: those all carry the family in their `sid` claim, and none can outlive the
//! session's revocation by more than the access-token lifetime, which is how long the key is
//! kept.
//!
//! [`RevocationList`]: quorum_auth::RevocationList

use chrono::{DateTime, Utc};
use quorum_auth::{hash_refresh_token, session_key, AccessClaims, LEEWAY_SECS};
use quorum_contracts::exchanges;
use quorum_store::{now_millis, sqlx, Tx};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::ApiError;
use crate::events;
use crate::repository::refresh;

/// How much longer than the access-token lifetime a session's revocation is kept: covers
/// the clock skew verifiers allow and a token issued while the revocation was committing.
const SESSION_MARGIN_SECS: i64 = 60;

/// Revokes the access token described by `claims`, until it expires.
pub(crate) async fn access(
    state: &AppState,
    tx: &mut Tx,
    claims: &AccessClaims,
) -> Result<(), ApiError> {
    key(
        state,
        tx,
        &claims.jti,
        &claims.sub.to_string(),
        claims.expires_at(),
    )
    .await
}

/// Ends session `family` of `user`: its refresh tokens stop working, and so does every
/// access token issued in it.
pub(crate) async fn session(
    state: &AppState,
    tx: &mut Tx,
    family: &str,
    user: &str,
) -> Result<(), ApiError> {
    refresh::revoke_family(tx, family, now_millis()).await?;
    let ttl = i64::try_from(state.settings.access_ttl_secs).unwrap_or(i64::MAX / 4);
    let keep = ttl
        .saturating_add(LEEWAY_SECS as i64)
        .saturating_add(SESSION_MARGIN_SECS);
    let until = Utc::now() + chrono::Duration::seconds(keep);
    key(state, tx, &session_key(family), user, until).await
}

/// Ends every session of `user`: every refresh family, and the access tokens of those that
/// may still hold an unexpired one.
pub(crate) async fn every_session(
    state: &AppState,
    tx: &mut Tx,
    user: &str,
) -> Result<(), ApiError> {
    let now = now_millis();
    let ttl_ms =
        i64::try_from(state.settings.access_ttl_secs.saturating_mul(1000)).unwrap_or(i64::MAX / 4);
    let since = now.saturating_sub(ttl_ms.saturating_add((LEEWAY_SECS as i64) * 1000));
    for family in refresh::recent_families(tx, user, since).await? {
        session(state, tx, &family, user).await?;
    }
    refresh::revoke_user(tx, user, now).await?;
    Ok(())
}

/// Ends the session of refresh token `raw` when it belongs to `caller` (anything else is
/// ignored: the caller learns nothing about other people's tokens); returns its family.
pub(crate) async fn session_of(
    state: &AppState,
    tx: &mut Tx,
    raw: &str,
    caller: Uuid,
) -> Result<Option<String>, ApiError> {
    let hash = hash_refresh_token(raw.trim());
    let Some(record) = refresh::find(tx, &hash).await? else {
        return Ok(None);
    };
    if record.user_id != caller.to_string() {
        return Ok(None);
    }
    session(state, tx, &record.family_id, &record.user_id).await?;
    Ok(Some(record.family_id))
}

async fn key(
    state: &AppState,
    tx: &mut Tx,
    key: &str,
    user: &str,
    until: DateTime<Utc>,
) -> Result<(), ApiError> {
    state
        .revocations
        .revoke(key, until)
        .await
        .map_err(ApiError::Auth)?;
    // Kept until the token expires, so a restarted process still refuses it.
    sqlx::query(
        "INSERT INTO revoked_tokens (jti, user_id, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (jti) DO NOTHING",
    )
    .bind(key)
    .bind(user)
    .bind(until.timestamp_millis())
    .execute(&mut **tx)
    .await
    .map_err(quorum_store::StoreError::from)?;
    let user_id = Uuid::parse_str(user)
        .map_err(|_| ApiError::corrupt(format!("user id `{user}` is not a UUID")))?;
    let event = events::token_revoked(key, user_id, until)?;
    state.outbox.enqueue(tx, exchanges::USER, &event).await?;
    Ok(())
}

/// Puts every revoked, unexpired token and session back into the revocation list (at
/// start-up: the list may be in process memory) and forgets the expired ones.
pub(crate) async fn restore(
    db: &quorum_store::Db,
    list: &dyn quorum_auth::RevocationList,
) -> Result<usize, quorum_store::StoreError> {
    let now = Utc::now().timestamp_millis();
    sqlx::query("DELETE FROM revoked_tokens WHERE expires_at <= $1")
        .bind(now)
        .execute(db.writer())
        .await?;
    let rows: Vec<(String, i64)> = sqlx::query_as("SELECT jti, expires_at FROM revoked_tokens")
        .fetch_all(db.reader())
        .await?;
    let mut restored = 0;
    for (jti, expires_at) in rows {
        let Some(at) = DateTime::from_timestamp_millis(expires_at) else {
            continue;
        };
        match list.revoke(&jti, at).await {
            Ok(()) => restored += 1,
            Err(e) => tracing::warn!(error = %e, "could not restore a revoked token"),
        }
    }
    Ok(restored)
}
