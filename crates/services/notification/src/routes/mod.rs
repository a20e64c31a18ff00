//! HTTP routes, one file per group: [`inbox`] (list, mark read), [`stream`] (SSE) and
//! [`preferences`].

use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;

pub(crate) mod inbox;
pub(crate) mod preferences;
pub(crate) mod stream;

/// Every route with its OpenAPI operation, each registered once: the service's router and
/// its OpenAPI document are both cut from this.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(inbox::list))
        .routes(routes!(inbox::read))
        .routes(routes!(inbox::read_all))
        .routes(routes!(stream::stream))
        .routes(routes!(preferences::get, preferences::put))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    components(schemas(
        crate::views::NotificationView,
        crate::views::NotificationPage,
        crate::views::StreamEvent,
        inbox::MarkedRead,
        crate::domain::Preferences,
        crate::domain::PreferencesInput,
        crate::domain::Channels,
        crate::domain::KindPrefs,
        quorum_web::Problem,
    )),
    tags((name = "notifications", description = "In-app notifications, live stream and delivery preferences"))
)]
pub(crate) struct ApiDoc;
