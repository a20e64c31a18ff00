//! HTTP routes, one file per group: [`todos`] (list, create, read), [`patch`] (changes and
//! the status machine), [`delete`] and [`stats`].

use utoipa::OpenApi as _;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::app::AppState;

pub(crate) mod delete;
pub(crate) mod patch;
pub(crate) mod stats;
pub(crate) mod todos;

/// Every route with its OpenAPI operation, each registered once: the service's router and
/// its OpenAPI document are both cut from this.
pub(crate) fn api() -> OpenApiRouter<AppState> {
    OpenApiRouter::with_openapi(ApiDoc::openapi())
        .routes(routes!(todos::list, todos::create))
        .routes(routes!(stats::get))
        .routes(routes!(todos::get, patch::patch, delete::delete))
}

#[derive(utoipa::OpenApi)]
#[openapi(
    components(schemas(
        crate::views::TodoView,
        crate::views::CreateTodo,
        crate::views::PatchTodoBody,
        crate::views::ListScope,
        crate::views::StatsView,
        crate::views::StatusCounts,
        crate::views::MeetingStats,
        crate::views::TodoPage,
        crate::domain::TodoStatus,
        crate::domain::Source,
        quorum_web::Problem,
    )),
    tags((name = "todos", description = "Action items: from notes, the AI analysis, or by hand"))
)]
pub(crate) struct ApiDoc;

quorum_web::typed_id!(pub(crate) TodoId, "todo id");

#[cfg(test)]
mod tests {
    #[test]
    fn the_openapi_document_lists_every_route() {
        let doc = crate::Todo::openapi();
        let paths: Vec<&str> = doc.paths.paths.keys().map(String::as_str).collect();
        assert_eq!(paths, ["/api/todos", "/api/todos/stats", "/api/todos/{id}"]);
        let item = &doc.paths.paths["/api/todos/{id}"];
        assert!(item.get.is_some() && item.patch.is_some() && item.delete.is_some());
    }
}
