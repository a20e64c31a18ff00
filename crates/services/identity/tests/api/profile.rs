use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app};

#[tokio::test]
async fn me_can_be_read_updated_and_deleted() {
    let app = spawn_app().await;
    let (id, tokens) = app.signed_in("ann@example.com").await;

    let res = app
        .authed(Method::GET, "/api/users/me", &id, &tokens)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let me: Value = res.json().await.unwrap();
    assert_eq!(
        (me["id"].as_str().unwrap(), me["email"].as_str().unwrap()),
        (id.as_str(), "ann@example.com")
    );
    assert_eq!(me["name"], "Ann Lee");

    let res = app
        .authed(Method::PUT, "/api/users/me", &id, &tokens)
        .json(&json!({"name": "Ann Kim", "locale": "ko", "email": "ann.kim@example.com"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    // The cached profile was evicted: reads see the change.
    let me: Value = app
        .authed(Method::GET, "/api/users/me", &id, &tokens)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["name"], "Ann Kim");
    assert_eq!(me["locale"], "ko");
    assert_eq!(me["email"], "ann.kim@example.com");
    let public: Value = app
        .authed(Method::GET, &format!("/api/users/{id}"), &id, &tokens)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(public["name"], "Ann Kim");
    assert_eq!(
        app.login("ann.kim@example.com", "correct horse")
            .await
            .status(),
        200
    );

    let res = app
        .authed(Method::DELETE, "/api/users/me", &id, &tokens)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let res = app
        .authed(Method::GET, "/api/users/me", &id, &tokens)
        .send()
        .await
        .unwrap();
    assert_problem(res, 404, "user_not_found").await;
    assert_problem(
        app.login("ann.kim@example.com", "correct horse").await,
        401,
        "bad_credentials",
    )
    .await;
    let res = app
        .post(
            "/api/users/refresh",
            &json!({"refreshToken": tokens["refreshToken"]}),
        )
        .await;
    assert_problem(res, 401, "invalid_refresh_token").await;
    let jti = app
        .verifier()
        .await
        .verify(tokens["accessToken"].as_str().unwrap())
        .unwrap()
        .jti;
    assert!(
        app.is_revoked(&jti).await,
        "deleting the account revokes the token it used"
    );
    let res = app
        .authed(Method::DELETE, "/api/users/me", &id, &tokens)
        .send()
        .await
        .unwrap();
    assert_problem(res, 404, "user_not_found").await;
}

#[tokio::test]
async fn update_me_validates_and_refuses_a_taken_email() {
    let app = spawn_app().await;
    let (id, tokens) = app.signed_in("ann@example.com").await;
    app.signed_in("bob@example.com").await;
    let put = |body: Value| {
        app.authed(Method::PUT, "/api/users/me", &id, &tokens)
            .json(&body)
            .send()
    };

    let body = assert_problem(
        put(json!({"name": ""})).await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().starts_with("name"));
    let body = assert_problem(
        put(json!({"email": "nope"})).await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert!(body["detail"].as_str().unwrap().starts_with("email"));
    assert_problem(
        put(json!({"locale": "fr"})).await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert_problem(
        put(json!({"email": "BOB@example.com"})).await.unwrap(),
        409,
        "email_taken",
    )
    .await;
    assert_problem(
        put(json!({"role": "admin"})).await.unwrap(),
        422,
        "invalid_body",
    )
    .await;
}

#[tokio::test]
async fn me_needs_the_caller() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/api/users/me"))
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "unauthorized").await;
}

#[tokio::test]
async fn public_profiles() {
    let app = spawn_app().await;
    let (ann, tokens) = app.signed_in("ann@example.com").await;
    let (bob, _) = app.signed_in("bob@example.com").await;

    let res = app
        .authed(Method::GET, &format!("/api/users/{bob}"), &ann, &tokens)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body, json!({"id": bob, "name": "Ann Lee"}));

    let unknown = uuid::Uuid::now_v7();
    let res = app
        .authed(Method::GET, &format!("/api/users/{unknown}"), &ann, &tokens)
        .send()
        .await
        .unwrap();
    assert_problem(res, 404, "user_not_found").await;
    let res = app
        .authed(Method::GET, "/api/users/not-a-uuid", &ann, &tokens)
        .send()
        .await
        .unwrap();
    assert_problem(res, 400, "bad_request").await;
}

#[tokio::test]
async fn a_colleague_is_found_by_exact_email_with_id_and_name_only() {
    let app = spawn_app().await;
    let (id, tokens) = app.signed_in("ann@example.com").await;
    let res = app
        .register("Bo@Example.com", "correct horse", "Bo Han")
        .await;
    assert_eq!(res.status(), 201);
    let bo = res.json::<Value>().await.unwrap()["id"].clone();

    let res = app
        .authed(
            Method::GET,
            "/api/users/lookup?email=bo@example.COM",
            &id,
            &tokens,
        )
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let found: Value = res.json().await.unwrap();
    assert_eq!(found, json!({"id": bo, "name": "Bo Han"}));

    let res = app
        .authed(
            Method::GET,
            "/api/users/lookup?email=nobody@example.com",
            &id,
            &tokens,
        )
        .send()
        .await
        .unwrap();
    assert_problem(res, 404, "user_not_found").await;
    let res = app
        .authed(Method::GET, "/api/users/lookup?email=bo", &id, &tokens)
        .send()
        .await
        .unwrap();
    assert_problem(res, 422, "validation_failed").await;
}
