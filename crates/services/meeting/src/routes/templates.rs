//! `GET /api/meetings/templates`: the seeded meeting templates (cached for an hour).

use axum::extract::State;
use quorum_web::{CurrentUser, Json};

use crate::app::AppState;
use crate::error::ApiError;
use crate::views::TemplateView;

/// Meeting templates with names, descriptions and agenda sections in Korean and English.
#[utoipa::path(
    get, path = "/api/meetings/templates", tag = "meetings",
    responses(
        (status = 200, body = Vec<TemplateView>),
        (status = 401, body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn list(
    State(state): State<AppState>,
    CurrentUser(_caller): CurrentUser,
) -> Result<Json<Vec<TemplateView>>, ApiError> {
    Ok(Json(state.templates().await?))
}
