//! `POST /api/users/login`, `/refresh` and `/logout`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use quorum_web::{CurrentUser, Json, Problem};

use crate::app::AppState;
use crate::error::ApiError;
use crate::repository::users;
use crate::sessions;
use crate::views::{LoginBody, LogoutBody, RefreshBody, TokenPair};

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
/// `refreshToken` in the body its family is revoked too.
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
    if let Some(raw) = body.refresh_token.as_deref() {
        sessions::revoke_family_of(&mut tx, raw, caller.0).await?;
    }
    sessions::revoke_access(&state, &mut tx, &claims).await?;
    state.commit(tx).await?;
    Ok(StatusCode::NO_CONTENT)
}
