//! Sessions: a login starts a refresh-token family (the session), each refresh spends one
//! token and adds the next; every access token names its family in its `sid` claim. A spent
//! token presented again revokes the family, its access tokens included (`revoke.rs`), as
//! logout does.

use quorum_auth::{generate_refresh_token, hash_refresh_token, AccessClaims, AuthError};
use quorum_store::now_millis;
use uuid::Uuid;

use crate::app::AppState;
use crate::error::ApiError;
use crate::repository::refresh;
use crate::revoke;
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
    pair(state, user_id, &family, token)
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
        revoke::session(state, &mut tx, &record.family_id, &record.user_id).await?;
        state.commit(tx).await?;
        tracing::warn!(family = %record.family_id, user = %record.user_id,
            "refresh token reused; the session and its access tokens are revoked");
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
    pair(state, &record.user_id, &record.family_id, token)
}

fn pair(
    state: &AppState,
    user_id: &str,
    family: &str,
    refresh_token: String,
) -> Result<TokenPair, ApiError> {
    let user = Uuid::parse_str(user_id)
        .map_err(|_| ApiError::corrupt(format!("user id `{user_id}` is not a UUID")))?;
    let (access_token, _) = state
        .ring
        .issue_session_access(user, family)
        .map_err(ApiError::Auth)?;
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
