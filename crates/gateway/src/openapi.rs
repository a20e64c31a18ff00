//! One OpenAPI document for the whole system, merged from the services' documents, and the
//! Swagger UI that renders it (vendored assets only; nothing is fetched from a CDN).

use axum::Router;
use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme};
use utoipa::openapi::{ComponentsBuilder, InfoBuilder, OpenApi, OpenApiBuilder};
use utoipa_swagger_ui::SwaggerUi;

mod answers;

pub(crate) use answers::Enforced;
use answers::BEARER;

pub(crate) const OPENAPI_PATH: &str = "/api/openapi.json";
pub(crate) const DOCS_PATH: &str = "/api/docs";

/// Merges the services' documents under the title "Quorum API" with one bearer-JWT security
/// scheme, and completes every operation with what the gateway enforces in front of it
/// (`answers.rs`: `security: []` on public routes, the shared problem answers).
/// On a path or schema both documents define, the first one given wins.
pub(crate) fn merge(docs: Vec<(String, OpenApi)>, enforced: &Enforced<'_>) -> OpenApi {
    let mut merged = OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("Quorum API")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "Meeting minutes: users, meetings, transcripts, AI analysis, todos and \
                     notifications, behind one gateway. Any operation may answer a request \
                     body over its route's limit with 413 `payload_too_large` (the limit \
                     named in `detail`).",
                )),
        )
        .components(Some(ComponentsBuilder::new().build()))
        .build();
    for (service, doc) in docs {
        tracing::debug!(%service, paths = doc.paths.paths.len(), "merging openapi document");
        merged.merge(doc);
    }
    let components = merged
        .components
        .get_or_insert_with(|| ComponentsBuilder::new().build());
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(
            HttpBuilder::new()
                .scheme(HttpAuthScheme::Bearer)
                .bearer_format("JWT")
                .build(),
        ),
    );
    merged.security = Some(vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]);
    answers::complete(&mut merged, enforced);
    merged
}

/// `/api/openapi.json` and the Swagger UI at `/api/docs`.
pub(crate) fn routes<S: Clone + Send + Sync + 'static>(doc: OpenApi) -> Router<S> {
    SwaggerUi::new(DOCS_PATH).url(OPENAPI_PATH, doc).into()
}

#[cfg(test)]
mod tests {
    use super::*;
    use utoipa::openapi::path::{HttpMethod, OperationBuilder, PathItem, PathsBuilder};

    fn doc(path: &str) -> OpenApi {
        OpenApiBuilder::new()
            .paths(PathsBuilder::new().path(
                path,
                PathItem::new(HttpMethod::Get, OperationBuilder::new()),
            ))
            .build()
    }

    #[test]
    fn merges_paths_and_adds_the_bearer_scheme() {
        let public = crate::public::PublicRoutes::default();
        let enforced = Enforced {
            public: &public,
            rate_limited: true,
        };
        let merged = merge(
            vec![
                ("a".into(), doc("/api/users/me")),
                ("b".into(), doc("/api/meetings")),
            ],
            &enforced,
        );
        assert_eq!(merged.info.title, "Quorum API");
        assert!(merged.paths.paths.contains_key("/api/users/me"));
        assert!(merged.paths.paths.contains_key("/api/meetings"));
        let schemes = &merged.components.unwrap().security_schemes;
        assert!(schemes.contains_key(BEARER));
    }
}
