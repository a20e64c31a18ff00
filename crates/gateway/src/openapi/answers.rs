//! What the merged document says about every operation that the services' own annotations
//! cannot know: who may call it and the problem answers the gateway and the shared extractors
//! give on any route. Applied once, when the document is built:
//!
//! - `security`: `[]` on the gateway's public routes (`gateway.auth.public_routes`), the
//!   `bearer` scheme on every other operation;
//! - the answers every operation shares, added where the annotation did not write its own:
//!   `401` on authenticated routes, `400` where a path, query or body is read, `404` where an
//!   id is in the path, `413`/`415`/`422` where a body is taken, `429` while rate limits are on;
//! - every error answer as `application/problem+json` with the `Problem` schema (what
//!   `quorum_web::Problem` sends), whatever content type the annotation wrote.

use axum::http::Method;
use utoipa::openapi::content::Content;
use utoipa::openapi::path::{Operation, ParameterIn, PathItem};
use utoipa::openapi::response::Response;
use utoipa::openapi::security::SecurityRequirement;
use utoipa::openapi::{OpenApi, Ref, RefOr};

use crate::public::PublicRoutes;

/// The security scheme every authenticated operation names.
pub(crate) const BEARER: &str = "bearer";
pub(crate) const PROBLEM_JSON: &str = "application/problem+json";
const PROBLEM_REF: &str = "#/components/schemas/Problem";

/// What the gateway enforces in front of every operation.
pub(crate) struct Enforced<'a> {
    /// Routes reachable without a token (exact method and path).
    pub(crate) public: &'a PublicRoutes,
    /// Whether per-caller quotas answer `429`.
    pub(crate) rate_limited: bool,
}

/// Completes every operation of `doc` with what `enforced` and the shared extractors add.
pub(crate) fn complete(doc: &mut OpenApi, enforced: &Enforced<'_>) {
    for (path, item) in doc.paths.paths.iter_mut() {
        for (method, op) in operations(item) {
            let public = enforced.public.contains(&method, path);
            op.security = Some(if public {
                Vec::new()
            } else {
                vec![SecurityRequirement::new(BEARER, Vec::<String>::new())]
            });
            let reads = Reads::of(op);
            for (status, description, applies) in [
                ("400", BAD_INPUT, reads.path || reads.query || reads.body),
                ("401", UNAUTHENTICATED, !public),
                ("404", NOT_FOUND, reads.path),
                ("413", TOO_LARGE, reads.body),
                ("415", MEDIA_TYPE, reads.body),
                ("422", INVALID_BODY, reads.body),
                ("429", RATE_LIMITED, enforced.rate_limited),
            ] {
                if applies && !op.responses.responses.contains_key(status) {
                    op.responses
                        .responses
                        .insert(status.to_string(), RefOr::T(Response::new(description)));
                }
            }
            for (status, response) in op.responses.responses.iter_mut() {
                if let RefOr::T(response) = response {
                    as_problem(status, response);
                }
            }
        }
    }
}

const BAD_INPUT: &str = "The request cannot be read: a malformed id, query parameter or JSON \
                         body (`bad_request`, `invalid_path`, `invalid_query`, `malformed_json`).";
const UNAUTHENTICATED: &str = "The access token is missing, invalid, expired or revoked \
                               (`invalid_token`).";
const NOT_FOUND: &str = "No such resource, or the caller may not see it.";
const TOO_LARGE: &str = "The body exceeds the route's size limit (`payload_too_large`; \
                         `detail` names the limit).";
const MEDIA_TYPE: &str = "The body is not of a media type the operation takes \
                          (`unsupported_media_type`).";
const INVALID_BODY: &str = "A field is missing, of the wrong type, out of range or not allowed \
                            (`invalid_body`, `validation_failed`; `detail` names it).";
const RATE_LIMITED: &str = "Too many requests from this caller (`rate_limited`); retry after \
                            the seconds in `Retry-After`.";

/// What an operation reads from a request.
struct Reads {
    path: bool,
    query: bool,
    body: bool,
}

impl Reads {
    fn of(op: &Operation) -> Self {
        let params = op.parameters.as_deref().unwrap_or_default();
        let has = |place: ParameterIn| params.iter().any(|p| p.parameter_in == place);
        Self {
            path: has(ParameterIn::Path),
            query: has(ParameterIn::Query),
            body: op.request_body.is_some(),
        }
    }
}

/// An error answer (4xx, or any answer documented with the `Problem` schema) is sent as
/// `application/problem+json`.
fn as_problem(status: &str, response: &mut Response) {
    let documented_problem = response
        .content
        .values()
        .any(|c| matches!(&c.schema, Some(RefOr::Ref(r)) if r.ref_location == PROBLEM_REF));
    if status.starts_with('4') || documented_problem {
        response.content.clear();
        response.content.insert(
            PROBLEM_JSON.to_string(),
            Content::new(Some(Ref::new(PROBLEM_REF))),
        );
    }
}

fn operations(item: &mut PathItem) -> impl Iterator<Item = (Method, &mut Operation)> {
    [
        (Method::GET, item.get.as_mut()),
        (Method::PUT, item.put.as_mut()),
        (Method::POST, item.post.as_mut()),
        (Method::DELETE, item.delete.as_mut()),
        (Method::OPTIONS, item.options.as_mut()),
        (Method::HEAD, item.head.as_mut()),
        (Method::PATCH, item.patch.as_mut()),
        (Method::TRACE, item.trace.as_mut()),
    ]
    .into_iter()
    .filter_map(|(method, op)| op.map(|op| (method, op)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::settings::PublicRoute;
    use utoipa::openapi::path::{
        HttpMethod, OperationBuilder, ParameterBuilder, PathItem, PathsBuilder,
    };
    use utoipa::openapi::request_body::RequestBodyBuilder;
    use utoipa::openapi::response::ResponseBuilder;
    use utoipa::openapi::OpenApiBuilder;

    fn completed(rate_limited: bool) -> OpenApi {
        let create = OperationBuilder::new()
            .request_body(Some(RequestBodyBuilder::new().build()))
            .response(
                "422",
                ResponseBuilder::new()
                    .description("unknown participant")
                    .content(
                        "application/json",
                        Content::new(Some(Ref::new(PROBLEM_REF))),
                    ),
            );
        let read = OperationBuilder::new().parameter(
            ParameterBuilder::new()
                .name("id")
                .parameter_in(ParameterIn::Path),
        );
        let mut doc = OpenApiBuilder::new()
            .paths(
                PathsBuilder::new()
                    .path("/api/things", PathItem::new(HttpMethod::Post, create))
                    .path("/api/things/{id}", PathItem::new(HttpMethod::Get, read)),
            )
            .build();
        let public = PublicRoutes::new(&[PublicRoute::new("POST", "/api/things")]).unwrap();
        complete(
            &mut doc,
            &Enforced {
                public: &public,
                rate_limited,
            },
        );
        doc
    }

    fn answers(doc: &OpenApi, path: &str, method: Method) -> Vec<String> {
        let item = &doc.paths.paths[path];
        let op = if method == Method::GET {
            &item.get
        } else {
            &item.post
        };
        op.as_ref()
            .unwrap()
            .responses
            .responses
            .keys()
            .cloned()
            .collect()
    }

    #[test]
    fn public_routes_need_no_token_and_the_others_name_the_bearer_scheme() {
        let doc = serde_json::to_value(completed(true)).unwrap();
        assert_eq!(
            doc["paths"]["/api/things"]["post"]["security"],
            serde_json::json!([])
        );
        assert_eq!(
            doc["paths"]["/api/things/{id}"]["get"]["security"],
            serde_json::json!([{ "bearer": [] }])
        );
    }

    #[test]
    fn the_shared_answers_follow_what_an_operation_reads() {
        let doc = completed(true);
        // A public body-taking operation: no 401, no 404 (no id in its path).
        assert_eq!(
            answers(&doc, "/api/things", Method::POST),
            ["400", "413", "415", "422", "429"]
        );
        // An authenticated read by id: no 413/415/422 (no body).
        assert_eq!(
            answers(&doc, "/api/things/{id}", Method::GET),
            ["400", "401", "404", "429"]
        );
        assert!(!answers(&completed(false), "/api/things", Method::POST).contains(&"429".into()));
    }

    #[test]
    fn error_answers_are_problem_documents_and_keep_their_own_description() {
        let doc = serde_json::to_value(completed(true)).unwrap();
        let invalid = &doc["paths"]["/api/things"]["post"]["responses"]["422"];
        assert_eq!(invalid["description"], "unknown participant");
        let content = invalid["content"].as_object().unwrap();
        assert_eq!(content.keys().collect::<Vec<_>>(), [PROBLEM_JSON]);
        assert_eq!(content[PROBLEM_JSON]["schema"]["$ref"], PROBLEM_REF);
        let unauthenticated = &doc["paths"]["/api/things/{id}"]["get"]["responses"]["401"];
        assert_eq!(
            unauthenticated["content"][PROBLEM_JSON]["schema"]["$ref"],
            PROBLEM_REF
        );
    }
}
