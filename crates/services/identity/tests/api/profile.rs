use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, PASSWORD};

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
        .json(
            &json!({"name": "Ann Kim", "locale": "ko", "email": "ann.kim@example.com",
            "currentPassword": PASSWORD}),
        )
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
        app.login("ann.kim@example.com", PASSWORD).await.status(),
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
        app.login("ann.kim@example.com", PASSWORD).await,
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
        put(json!({"email": "BOB@example.com", "currentPassword": PASSWORD}))
            .await
            .unwrap(),
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
    let res = app.register("Bo@Example.com", PASSWORD, "Bo Han").await;
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

#[tokio::test]
async fn people_are_found_by_part_of_their_name_without_their_address() {
    let app = spawn_app().await;
    let (id, tokens) = app.signed_in("ann@example.com").await;
    for (email, name) in [
        ("bo@example.com", "Bo Han"),
        ("hana@example.com", "Hana Boyd"),
        ("minjun@example.com", "김민준"),
        ("pct@example.com", "100% Sure_Thing"),
    ] {
        assert_eq!(app.register(email, PASSWORD, name).await.status(), 201);
    }
    let search = |q: &str| {
        let q = q.to_owned();
        let app = &app;
        let (id, tokens) = (&id, &tokens);
        async move {
            let path = format!("/api/users/search?q={}", urlencoding_like(&q));
            app.authed(Method::GET, &path, id, tokens)
                .send()
                .await
                .unwrap()
        }
    };
    let names = |v: &Value| -> Vec<String> {
        v["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };

    // Case does not matter, any part of the name matches, in name order.
    let found: Value = search("BO").await.json().await.unwrap();
    assert_eq!(names(&found), ["Bo Han", "Hana Boyd"]);
    // Only an id and a name: never the address.
    for person in found["items"].as_array().unwrap() {
        assert_eq!(person.as_object().unwrap().len(), 2, "{person}");
    }
    let found: Value = search("민준").await.json().await.unwrap();
    assert_eq!(names(&found), ["김민준"]);
    // `%` and `_` are letters here, not patterns.
    let found: Value = search("0%").await.json().await.unwrap();
    assert_eq!(names(&found), ["100% Sure_Thing"]);
    let found: Value = search("e_t").await.json().await.unwrap();
    assert_eq!(names(&found), ["100% Sure_Thing"]);
    let found: Value = search("a_n").await.json().await.unwrap();
    assert!(names(&found).is_empty());
    // The caller (Ann Lee) is not offered to themselves.
    let found: Value = search("Ann").await.json().await.unwrap();
    assert!(names(&found).is_empty());
    // One letter is too little to search by.
    assert_problem(search("B").await, 422, "validation_failed").await;
}

/// `q` for a query string (the few characters the test uses).
fn urlencoding_like(q: &str) -> String {
    q.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}

#[tokio::test]
async fn a_time_zone_is_chosen_by_its_tz_name_and_can_be_cleared() {
    let app = spawn_app().await;
    let (id, tokens) = app.signed_in("ann@example.com").await;
    let put = |body: Value| {
        app.authed(Method::PUT, "/api/users/me", &id, &tokens)
            .json(&body)
            .send()
    };
    let me: Value = put(json!({"timeZone": "Europe/Berlin"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["timeZone"], "Europe/Berlin");
    let problem = assert_problem(
        put(json!({"timeZone": "Mars/Olympus"})).await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
    assert!(
        problem.to_string().contains("Asia/Seoul"),
        "the message shows what a zone looks like: {problem}"
    );
    // Other changes keep it; an empty one clears it.
    let me: Value = put(json!({"locale": "ko"}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(me["timeZone"], "Europe/Berlin");
    let me: Value = put(json!({"timeZone": ""}))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(me.get("timeZone").is_none(), "{me}");
}
