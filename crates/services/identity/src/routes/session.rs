//! `POST /api/users/login`, `/refresh` and `/logout`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use quorum_store::now_millis;
use quorum_web::{CurrentUser, Json, Problem};

use crate::app::AppState;
use crate::credentials::{self, account_key};
use crate::domain::{Email, Password};
use crate::error::ApiError;
use crate::repository::users;
use crate::views::{ChangePassword, LoginBody, LogoutBody, RefreshBody, TokenPair};
use crate::{revoke, sessions, strength};

/// Exchanges credentials for a token pair. Unknown e-mail and wrong password answer alike.
/// Failed attempts slow the account down: from `identity.login_free_failures` on, each
/// further attempt must wait (doubling, up to `identity.login_backoff_max_secs`) and is
/// answered `429 login_throttled` with `Retry-After` until then; a right password clears it.
#[utoipa::path(
    post, path = "/api/users/login", tag = "users",
    request_body = LoginBody,
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 401, description = "Bad credentials", body = Problem),
        (status = 429, description = "Too many failed attempts for this account (`Retry-After`)", body = Problem),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn login(
    State(state): State<AppState>,
    Json(body): Json<LoginBody>,
) -> Result<Json<TokenPair>, ApiError> {
    let key = account_key(&body.email);
    let mut user = users::find_by_email(&state.db, &key).await?;
    let legacy = Email::legacy_key(&body.email);
    if user.is_none() && legacy != key {
        // Registered before addresses were normalised.
        user = users::find_by_email(&state.db, &legacy).await?;
    }
    if !credentials::prove(&state, &key, user.as_ref(), &body.password).await? {
        return Err(ApiError::BadCredentials);
    }
    let user = user.ok_or(ApiError::BadCredentials)?;
    Ok(Json(sessions::start(&state, &user.id).await?))
}

/// Spends a refresh token for a new pair. Re-using a spent one revokes its whole family.
#[utoipa::path(
    post, path = "/api/users/refresh", tag = "users",
    request_body = RefreshBody,
    responses(
        (status = 200, description = "A new pair; the old refresh token is spent", body = TokenPair),
        (status = 401, description = "Invalid, expired, revoked or reused refresh token", body = Problem),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn refresh(
    State(state): State<AppState>,
    Json(body): Json<RefreshBody>,
) -> Result<Json<TokenPair>, ApiError> {
    Ok(Json(sessions::rotate(&state, &body.refresh_token).await?))
}

/// Ends the session: the access token and every other access token of its session (its
/// `sid`) stop working at once, everywhere, and so do the session's refresh tokens; with a
/// `refreshToken` in the body (of the caller's) its session ends too; with
/// `everywhere: true` every session of the account ends, access tokens included.
#[utoipa::path(
    post, path = "/api/users/logout", tag = "users",
    request_body(content = Option<LogoutBody>, description = "Optional"),
    security(("bearer" = [])),
    responses(
        (status = 204, description = "Signed out"),
        (status = 400, description = "The body is not JSON", body = Problem),
        (status = 401, description = "Missing or invalid access token", body = Problem),
    )
)]
#[tracing::instrument(skip_all, fields(user = %caller.0))]
pub(crate) async fn logout(
    State(state): State<AppState>,
    caller: CurrentUser,
    headers: HeaderMap,
    body: Bytes,
) -> Result<StatusCode, ApiError> {
    let claims = sessions::verify_own(&state, super::bearer(&headers)?, caller.0)?;
    // No body, or `null` (the documented absent body): this session only.
    let body: LogoutBody = if body.iter().all(u8::is_ascii_whitespace) {
        LogoutBody::default()
    } else {
        serde_json::from_slice::<Option<LogoutBody>>(&body)
            .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?
            .unwrap_or_default()
    };
    let user = caller.0.to_string();
    let mut tx = state.db.begin().await?;
    if body.everywhere {
        revoke::every_session(&state, &mut tx, &user).await?;
    } else {
        let mut ended = None;
        if let Some(raw) = body.refresh_token.as_deref() {
            ended = revoke::session_of(&state, &mut tx, raw, caller.0).await?;
        }
        // The access token's own session, found from its `sid`.
        if let Some(sid) = claims
            .sid
            .as_deref()
            .filter(|s| ended.as_deref() != Some(*s))
        {
            revoke::session(&state, &mut tx, sid, &user).await?;
        }
    }
    revoke::access(&state, &mut tx, &claims).await?;
    state.commit(tx).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes the caller's password, given the current one (throttled like a sign-in). The new
/// one must be hard to guess (`weak_password` says why it is not). Every session of the
/// account ends (each refresh family and its access tokens); the answer is the pair of a
/// new session, so the device that changed it stays signed in.
#[utoipa::path(
    put, path = "/api/users/me/password", tag = "users", security(("bearer" = [])),
    request_body = ChangePassword,
    responses(
        (status = 200, description = "Changed; the pair of a new session", body = TokenPair),
        (status = 401, description = "Missing or invalid access token", body = Problem),
        (status = 403, description = "The current password is not correct", body = Problem),
        (status = 404, description = "The account was deleted", body = Problem),
        (status = 422, description = "The new password is too short, too long (`validation_failed`) or too easy to guess (`weak_password`)", body = Problem),
        (status = 429, description = "Too many wrong passwords for this account (`Retry-After`)", body = Problem),
    )
)]
#[tracing::instrument(skip_all, fields(user = %caller.0))]
pub(crate) async fn change_password(
    State(state): State<AppState>,
    caller: CurrentUser,
    headers: HeaderMap,
    Json(body): Json<ChangePassword>,
) -> Result<Json<TokenPair>, ApiError> {
    let claims = sessions::verify_own(&state, super::bearer(&headers)?, caller.0)?;
    let new = Password::parse(&body.new_password)?;
    let id = caller.0.to_string();
    let user = users::find_by_id(&state.db, &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(id.clone()))?;
    strength::check(&new, &[&user.name, &user.email])?;
    let account = account_key(&user.email);
    if !credentials::prove(&state, &account, Some(&user), &body.current_password).await? {
        return Err(ApiError::WrongPassword);
    }
    let hash = state.hasher.hash(new.expose()).await?;
    let now = now_millis();
    let mut tx = state.db.begin().await?;
    if users::set_password(&mut tx, &id, &hash, now).await? == 0 {
        return Err(ApiError::NotFound(id));
    }
    revoke::every_session(&state, &mut tx, &id).await?;
    revoke::access(&state, &mut tx, &claims).await?;
    state.commit(tx).await?;
    tracing::info!("password changed; every earlier session revoked");
    Ok(Json(sessions::start(&state, &id).await?))
}
