//! HTTP routes, one file per group: [`inbox`] (list, mark read), [`stream`] (SSE) and
//! [`preferences`].

use axum::routing::{get, post};
use axum::Router;
use utoipa::OpenApi;

use crate::app::AppState;

pub(crate) mod inbox;
pub(crate) mod preferences;
pub(crate) mod stream;

pub(crate) fn router(state: AppState) -> Router {
    Router::new()
        .route("/api/notifications", get(inbox::list))
        .route("/api/notifications/{id}/read", post(inbox::read))
        .route("/api/notifications/stream", get(stream::stream))
        .route(
            "/api/notifications/preferences",
            get(preferences::get).put(preferences::put),
        )
        .with_state(state)
}

#[derive(OpenApi)]
#[openapi(
    paths(inbox::list, inbox::read, stream::stream, preferences::get, preferences::put),
    components(schemas(
        crate::views::NotificationView,
        crate::views::NotificationPage,
        crate::domain::Preferences,
        crate::domain::PreferencesInput,
        crate::domain::Channels,
        crate::domain::KindPrefs,
        quorum_web::Problem,
    )),
    tags((name = "notifications", description = "In-app notifications, live stream and delivery preferences"))
)]
pub(crate) struct ApiDoc;
