//! The caller's delivery preferences.

use axum::extract::State;
use quorum_store::now_millis;
use quorum_web::{CurrentUser, Json};

use crate::app::AppState;
use crate::domain::{Preferences, PreferencesInput};
use crate::error::ApiError;
use crate::repository::preferences;

/// The caller's preferences, every kind listed (all on until changed).
#[utoipa::path(
    get, path = "/api/notifications/preferences", tag = "notifications",
    responses(
        (status = 200, body = Preferences),
        (status = 401, body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller))]
pub(crate) async fn get(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
) -> Result<Json<Preferences>, ApiError> {
    let mut conn = state.db.reader().acquire().await?;
    Ok(Json(preferences::get(&mut conn, caller).await?))
}

/// Replaces the caller's preferences; anything left out is on. `webhook` is stored but no
/// webhook is delivered yet.
#[utoipa::path(
    put, path = "/api/notifications/preferences", tag = "notifications",
    request_body = PreferencesInput,
    responses(
        (status = 200, description = "the preferences now in force", body = Preferences),
        (status = 401, body = quorum_web::Problem),
        (status = 422, description = "unknown kind or field, or a value that is not a boolean", body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller))]
pub(crate) async fn put(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    Json(body): Json<PreferencesInput>,
) -> Result<Json<Preferences>, ApiError> {
    let prefs = Preferences::from_input(body).map_err(ApiError::Validation)?;
    let mut conn = state.db.writer().acquire().await?;
    preferences::put(&mut conn, caller, &prefs, now_millis()).await?;
    Ok(Json(prefs))
}
