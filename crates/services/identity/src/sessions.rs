//! Sessions: a login starts a refresh-token family, each refresh spends one token and adds
//! the next, a spent token presented again revokes the family; logout revokes the access
//! token (by `jti`, until it expires) and, if given, the refresh family.

use chrono::Utc;
use quorum_auth::{generate_refresh_token, hash_refresh_token, AccessClaims, AuthError};
use quorum_contracts::exchanges;
use quorum_store::{now_millis, sqlx, Tx};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::ApiError;
use crate::events;
use crate::repository::refresh;
use crate::views::TokenPair;

fn ttl_millis(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2)
}

/// Starts a new family for `user_id` and returns its first pair.
pub(crate) async fn start(state: &AppState, user_id: &str) -> Result<TokenPair, ApiError> {
    let now = now_millis();
    let family = Uuid::now_v7().to_string();
    let (token, hash) = generate_refresh_token();
    let mut tx = state.db.begin().await?;
    refresh::insert_family(&mut tx, &family, user_id, now).await?;
    let expires = now.saturating_add(ttl_millis(state.settings.refresh_ttl()));
    refresh::insert_token(&mut tx, &hash, &family, user_id, now, expires).await?;
    state.commit(tx).await?;
    pair(state, user_id, token)
}

/// Spends `raw` and returns the next pair of its family.
pub(crate) async fn rotate(state: &AppState, raw: &str) -> Result<TokenPair, ApiError> {
    let now = now_millis();
    let hash = hash_refresh_token(raw.trim());
    let mut tx = state.db.begin().await?;
    let Some(record) = refresh::find(&mut tx, &hash).await? else {
        return Err(ApiError::InvalidRefreshToken);
    };
    if record.family_revoked_at.is_some() {
        return Err(ApiError::InvalidRefreshToken);
    }
    let reused = record.spent_at.is_some() || refresh::spend(&mut tx, &hash, now).await? == 0;
    if reused {
        refresh::revoke_family(&mut tx, &record.family_id, now).await?;
        tx.commit().await?;
        tracing::warn!(family = %record.family_id, user = %record.user_id, "refresh token reused; family revoked");
        return Err(ApiError::RefreshTokenReused);
    }
    if record.expires_at <= now {
        return Err(ApiError::InvalidRefreshToken);
    }
    let (token, next) = generate_refresh_token();
    let expires = now.saturating_add(ttl_millis(state.settings.refresh_ttl()));
    refresh::insert_token(
        &mut tx,
        &next,
        &record.family_id,
        &record.user_id,
        now,
        expires,
    )
    .await?;
    state.commit(tx).await?;
    pair(state, &record.user_id, token)
}

fn pair(state: &AppState, user_id: &str, refresh_token: String) -> Result<TokenPair, ApiError> {
    let user = Uuid::parse_str(user_id)
        .map_err(|_| ApiError::corrupt(format!("user id `{user_id}` is not a UUID")))?;
    let (access_token, _) = state.ring.issue_access(user).map_err(ApiError::Auth)?;
    Ok(TokenPair {
        access_token,
        refresh_token,
        token_type: "Bearer",
        expires_in: state.settings.access_ttl_secs,
    })
}

/// Verifies the caller's bearer token with the service's own keys; it must belong to
/// `caller`.
pub(crate) fn verify_own(
    state: &AppState,
    bearer: &str,
    caller: Uuid,
) -> Result<AccessClaims, ApiError> {
    let verifier = state.ring.verifier().map_err(ApiError::Auth)?;
    let claims = verifier.verify(bearer).map_err(|e| match e {
        AuthError::Key(_) => ApiError::Auth(e),
        other => ApiError::Unauthorized(format!("the access token is not valid: {other}")),
    })?;
    if claims.sub != caller {
        return Err(ApiError::Unauthorized(
            "the access token belongs to another user".into(),
        ));
    }
    Ok(claims)
}

/// Revokes the access token described by `claims` at once (revocation list) and everywhere
/// (the `auth.token_revoked` event, written in `tx`).
pub(crate) async fn revoke_access(
    state: &AppState,
    tx: &mut Tx,
    claims: &AccessClaims,
) -> Result<(), ApiError> {
    let expires_at = claims.expires_at();
    state
        .revocations
        .revoke(&claims.jti, expires_at)
        .await
        .map_err(ApiError::Auth)?;
    // Kept until the token expires, so a restarted process still refuses it.
    sqlx::query(
        "INSERT INTO revoked_tokens (jti, user_id, expires_at) VALUES ($1, $2, $3) \
         ON CONFLICT (jti) DO NOTHING",
    )
    .bind(&claims.jti)
    .bind(claims.sub.to_string())
    .bind(expires_at.timestamp_millis())
    .execute(&mut **tx)
    .await
    .map_err(quorum_store::StoreError::from)?;
    let event = events::token_revoked(&claims.jti, claims.sub, expires_at)?;
    state.outbox.enqueue(tx, exchanges::USER, &event).await?;
    Ok(())
}

/// Puts every revoked, unexpired token back into the revocation list (at start-up: the list
/// may be in process memory) and forgets the expired ones.
pub(crate) async fn restore_revocations(
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
        let Some(at) = chrono::DateTime::from_timestamp_millis(expires_at) else {
            continue;
        };
        match list.revoke(&jti, at).await {
            Ok(()) => restored += 1,
            Err(e) => tracing::warn!(error = %e, "could not restore a revoked token"),
        }
    }
    Ok(restored)
}

/// Revokes the family of `raw` when it belongs to `caller` (anything else is ignored: the
/// caller learns nothing about other people's tokens).
pub(crate) async fn revoke_family_of(tx: &mut Tx, raw: &str, caller: Uuid) -> Result<(), ApiError> {
    let hash = hash_refresh_token(raw.trim());
    if let Some(record) = refresh::find(tx, &hash).await? {
        if record.user_id == caller.to_string() {
            refresh::revoke_family(tx, &record.family_id, Utc::now().timestamp_millis()).await?;
        }
    }
    Ok(())
}
