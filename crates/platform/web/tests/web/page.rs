//! Pagination parameters: defaults, bounds and the envelope.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::get;
use axum::Router;
use quorum_web::page::{PageRequest, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE};
use quorum_web::{Json, Page, PageParams, Problem, Query};

use crate::send;

fn params(page: Option<u32>, size: Option<u32>) -> PageParams {
    PageParams { page, size }
}

#[test]
fn defaults_are_the_first_page_of_twenty() {
    let req = params(None, None).validate().unwrap();
    assert_eq!(
        req,
        PageRequest {
            page: 1,
            size: DEFAULT_PAGE_SIZE
        }
    );
    assert_eq!((req.offset(), req.limit()), (0, 20));
    let third = params(Some(3), Some(MAX_PAGE_SIZE)).validate().unwrap();
    assert_eq!((third.offset(), third.limit()), (200, 100));
}

#[test]
fn out_of_range_parameters_are_400() {
    for bad in [
        params(Some(0), None),
        params(None, Some(0)),
        params(None, Some(MAX_PAGE_SIZE + 1)),
    ] {
        let problem = bad.validate().unwrap_err();
        assert_eq!(
            (problem.status(), problem.code.as_str()),
            (StatusCode::BAD_REQUEST, "bad_request")
        );
    }
}

async fn list(Query(p): Query<PageParams>) -> Result<Json<Page<u32>>, Problem> {
    let req = p.validate()?;
    Ok(Json(Page::new(vec![1, 2], req, 42)))
}

#[tokio::test]
async fn a_list_route_answers_the_envelope_or_a_problem() {
    let app = Router::new().route("/list", get(list));
    let ok = send(
        &app,
        Request::get("/list?page=2&size=2")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    assert_eq!(
        ok.json(),
        serde_json::json!({"items": [1, 2], "page": 2, "size": 2, "total": 42})
    );
    send(
        &app,
        Request::get("/list?size=500").body(Body::empty()).unwrap(),
    )
    .await
    .assert_problem(StatusCode::BAD_REQUEST, "bad_request");
    send(
        &app,
        Request::get("/list?page=-1").body(Body::empty()).unwrap(),
    )
    .await
    .assert_problem(StatusCode::BAD_REQUEST, "invalid_query");
}
