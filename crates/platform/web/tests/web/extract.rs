//! Extractor rejections are problem documents with stable codes.

use axum::body::Body;
use axum::http::{Request, StatusCode};
use axum::routing::{get, post};
use axum::Router;
use quorum_web::{CurrentUser, Json, Path, Query};
use serde::Deserialize;
use uuid::Uuid;

use crate::send;

#[derive(Deserialize)]
struct NewItem {
    #[allow(dead_code)]
    title: String,
}

#[derive(Deserialize)]
struct Filter {
    #[allow(dead_code)]
    limit: u32,
}

fn app() -> Router {
    Router::new()
        .route(
            "/items",
            post(|Json(_): Json<NewItem>| async { StatusCode::CREATED }),
        )
        .route(
            "/items/{id}",
            get(|Path(id): Path<Uuid>| async move { id.to_string() }),
        )
        .route("/search", get(|Query(_): Query<Filter>| async { "ok" }))
        .route(
            "/me",
            get(|CurrentUser(id): CurrentUser| async move { id.to_string() }),
        )
}

fn post_json(body: &str, content_type: Option<&str>) -> Request<Body> {
    let mut req = Request::post("/items");
    if let Some(ct) = content_type {
        req = req.header("content-type", ct);
    }
    req.body(Body::from(body.to_owned())).unwrap()
}

#[tokio::test]
async fn json_rejections_are_400_415_and_422() {
    let app = app();
    let ok = send(
        &app,
        post_json(r#"{"title":"x"}"#, Some("application/json")),
    )
    .await;
    assert_eq!(ok.status, StatusCode::CREATED);
    send(&app, post_json("{not json", Some("application/json")))
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "malformed_json");
    send(&app, post_json(r#"{"title":"x"}"#, None))
        .await
        .assert_problem(StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type");
    send(&app, post_json(r#"{"title":7}"#, Some("application/json")))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
    send(&app, post_json("{}", Some("application/json")))
        .await
        .assert_problem(StatusCode::UNPROCESSABLE_ENTITY, "invalid_body");
}

#[tokio::test]
async fn path_and_query_rejections_are_400() {
    let app = app();
    let id = Uuid::now_v7();
    let ok = send(
        &app,
        Request::get(format!("/items/{id}"))
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(ok.status, StatusCode::OK);
    send(
        &app,
        Request::get("/items/not-a-uuid")
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .assert_problem(StatusCode::BAD_REQUEST, "invalid_path");
    send(
        &app,
        Request::get("/search?limit=many")
            .body(Body::empty())
            .unwrap(),
    )
    .await
    .assert_problem(StatusCode::BAD_REQUEST, "invalid_query");
    send(&app, Request::get("/search").body(Body::empty()).unwrap())
        .await
        .assert_problem(StatusCode::BAD_REQUEST, "invalid_query");
}

#[tokio::test]
async fn the_caller_must_be_asserted_by_the_gateway() {
    let app = app();
    let me = |v: Option<&str>| {
        let mut req = Request::get("/me");
        if let Some(v) = v {
            req = req.header(quorum_web::USER_HEADER, v);
        }
        req.body(Body::empty()).unwrap()
    };
    send(&app, me(None))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    send(&app, me(Some("nobody")))
        .await
        .assert_problem(StatusCode::UNAUTHORIZED, "unauthorized");
    let id = Uuid::now_v7().to_string();
    let ok = send(&app, me(Some(&id))).await;
    assert_eq!(
        (ok.status, ok.body.as_ref()),
        (StatusCode::OK, id.as_bytes())
    );
}
