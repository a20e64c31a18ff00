//! `GET /.well-known/jwks.json`.

use axum::extract::State;
use axum::http::header;
use axum::response::IntoResponse;
use quorum_web::Json;

use crate::app::AppState;

/// The public signing keys: pending, current and recently retired.
#[utoipa::path(
    get, path = "/.well-known/jwks.json", tag = "users",
    responses((status = 200, description = "The JWKS", body = crate::views::JwksDoc))
)]
pub(crate) async fn jwks(State(state): State<AppState>) -> impl IntoResponse {
    (
        [(header::CACHE_CONTROL, "public, max-age=300")],
        Json(state.ring.jwks()),
    )
}
