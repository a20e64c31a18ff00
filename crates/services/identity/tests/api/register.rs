use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, PASSWORD};

#[tokio::test]
async fn register_creates_a_user() {
    let app = spawn_app().await;
    let res = app
        .register(" Ann@Example.com ", PASSWORD, " Ann Lee ")
        .await;
    assert_eq!(res.status(), 201);
    let body: Value = res.json().await.unwrap();
    assert_eq!(
        body["email"], "Ann@example.com",
        "the domain is lower-cased"
    );
    assert_eq!(body["name"], "Ann Lee");
    let id = uuid::Uuid::parse_str(body["id"].as_str().unwrap()).unwrap();
    assert_eq!(id.get_version_num(), 7);
    assert!(body.get("password").is_none() && body.get("passwordHash").is_none());
}

#[tokio::test]
async fn duplicate_email_is_409_whatever_the_case() {
    let app = spawn_app().await;
    assert_eq!(
        app.register("ann@example.com", PASSWORD, "Ann")
            .await
            .status(),
        201
    );
    let res = app
        .register("ANN@example.COM", "another strong passphrase", "Other")
        .await;
    let body = assert_problem(res, 409, "email_taken").await;
    assert_eq!(body["status"], 409);
    assert!(body["detail"].as_str().unwrap().contains("e-mail"));
}

#[tokio::test]
async fn invalid_fields_are_422_naming_the_field() {
    let app = spawn_app().await;
    let long = "x".repeat(101);
    let cases = [
        ("not-an-email", PASSWORD, "Ann", "email"),
        ("ann@", PASSWORD, "Ann", "email"),
        ("ann@example.com", "short", "Ann", "password"),
        ("ann@example.com", PASSWORD, "   ", "name"),
        ("ann@example.com", PASSWORD, long.as_str(), "name"),
    ];
    for (email, password, name, field) in cases {
        let res = app.register(email, password, name).await;
        let body = assert_problem(res, 422, "validation_failed").await;
        let detail = body["detail"].as_str().unwrap();
        assert!(detail.starts_with(field), "{field}: {detail}");
    }
}

#[tokio::test]
async fn malformed_bodies_are_4xx_problems() {
    let app = spawn_app().await;
    let res = app
        .post("/api/users/register", &json!({"email": "ann@example.com"}))
        .await;
    assert_problem(res, 422, "invalid_body").await;
    let res = app
        .client
        .post(app.url("/api/users/register"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_problem(res, 400, "malformed_json").await;
}
