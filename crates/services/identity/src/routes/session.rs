//! `POST /api/users/login`, `/refresh` and `/logout`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use quorum_store::now_millis;
use quorum_web::{CurrentUser, Json, Problem};

use crate::app::AppState;
use crate::domain::Password;
use crate::error::ApiError;
use crate::repository::{refresh, users};
use crate::sessions;
use crate::views::{ChangePassword, LoginBody, LogoutBody, RefreshBody, TokenPair};

/// Exchanges credentials for a token pair. Unknown e-mail and wrong password answer alike.
#[utoipa::path(
    post, path = "/api/users/login", tag = "users",
    request_body = LoginBody,
    responses(
        (status = 200, description = "Signed in", body = TokenPair),
        (status = 401, description = "Bad credentials", body = Problem),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn login(
    State(state): State<AppState>,
    Json(body): Json<LoginBody>,
) -> Result<Json<TokenPair>, ApiError> {
    let key = body.email.trim().to_lowercase();
    let user = users::find_by_email(&state.db, &key).await?;
    let stored = user.as_ref().map(|u| u.password_hash.as_str());
    if !state.hasher.verify(&body.password, stored).await? {
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

/// Ends the session: the access token stops working at once, everywhere; with a
/// `refreshToken` in the body its family is revoked too; with `everywhere: true` every
/// session of the account ends (each refresh family is revoked; the access tokens of other
/// devices lapse within `identity.access_ttl_secs`).
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
    let body: LogoutBody = if body.iter().all(u8::is_ascii_whitespace) {
        LogoutBody::default()
    } else {
        serde_json::from_slice(&body)
            .map_err(|e| ApiError::BadRequest(format!("the body is not valid JSON: {e}")))?
    };
    let mut tx = state.db.begin().await?;
    if body.everywhere {
        refresh::revoke_user(&mut tx, &caller.0.to_string(), now_millis()).await?;
    } else if let Some(raw) = body.refresh_token.as_deref() {
        sessions::revoke_family_of(&mut tx, raw, caller.0).await?;
    }
    sessions::revoke_access(&state, &mut tx, &claims).await?;
    state.commit(tx).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Changes the caller's password, given the current one. Every session of the account ends
/// (each refresh family is revoked, and the access token presented); the answer is the pair
/// of a new session, so the device that changed it stays signed in.
#[utoipa::path(
    put, path = "/api/users/me/password", tag = "users", security(("bearer" = [])),
    request_body = ChangePassword,
    responses(
        (status = 200, description = "Changed; the pair of a new session", body = TokenPair),
        (status = 401, description = "Missing or invalid access token", body = Problem),
        (status = 403, description = "The current password is not correct", body = Problem),
        (status = 404, description = "The account was deleted", body = Problem),
        (status = 422, description = "The new password is too short or too long", body = Problem),
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
    if !state
        .hasher
        .verify(&body.current_password, Some(&user.password_hash))
        .await?
    {
        return Err(ApiError::WrongPassword);
    }
    let hash = state.hasher.hash(new.expose()).await?;
    let now = now_millis();
    let mut tx = state.db.begin().await?;
    if users::set_password(&mut tx, &id, &hash, now).await? == 0 {
        return Err(ApiError::NotFound(id));
    }
    refresh::revoke_user(&mut tx, &id, now).await?;
    sessions::revoke_access(&state, &mut tx, &claims).await?;
    state.commit(tx).await?;
    tracing::info!("password changed; every earlier session revoked");
    Ok(Json(sessions::start(&state, &id).await?))
}
