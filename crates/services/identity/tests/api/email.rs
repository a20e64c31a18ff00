//! Changing the e-mail address: the password first, then (when e-mail can be sent) the code
//! sent to the new address.

use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{
    assert_problem, spawn_app, spawn_app_with, test_settings, TestApp, AUTH_QUEUE, PASSWORD,
};

async fn put_me(app: &TestApp, id: &str, tokens: &Value, body: Value) -> reqwest::Response {
    app.authed(Method::PUT, "/api/users/me", id, tokens)
        .json(&body)
        .send()
        .await
        .unwrap()
}

async fn me(app: &TestApp, id: &str, tokens: &Value) -> Value {
    app.authed(Method::GET, "/api/users/me", id, tokens)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn an_access_token_alone_cannot_change_the_address() {
    let app = spawn_app().await;
    let (id, tokens) = app.signed_in("ann@example.com").await;
    let body = assert_problem(
        put_me(&app, &id, &tokens, json!({"email": "mallory@example.com"})).await,
        422,
        "validation_failed",
    )
    .await;
    assert!(body["detail"]
        .as_str()
        .unwrap()
        .starts_with("currentPassword"));
    assert_problem(
        put_me(
            &app,
            &id,
            &tokens,
            json!({"email": "mallory@example.com", "currentPassword": "a guess"}),
        )
        .await,
        403,
        "wrong_password",
    )
    .await;
    assert_eq!(me(&app, &id, &tokens).await["email"], "ann@example.com");
    // The same address in other case, or other fields, need no password.
    let res = put_me(
        &app,
        &id,
        &tokens,
        json!({"email": "ANN@example.com", "name": "Ann K"}),
    )
    .await;
    assert_eq!(res.status(), 200);
    // Without a mail server the new address takes effect at once.
    let res = put_me(
        &app,
        &id,
        &tokens,
        json!({"email": "ann.kim@example.com", "currentPassword": PASSWORD}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["email"], "ann.kim@example.com");
    assert!(body.get("pendingEmail").is_none(), "{body}");
}

#[tokio::test]
async fn with_mail_the_new_address_counts_only_once_its_code_is_confirmed() {
    let settings = quorum_identity::Settings {
        confirm_email_changes: true,
        ..test_settings()
    };
    let app = spawn_app_with(settings).await;
    let (id, tokens) = app.signed_in("ann@example.com").await;
    app.signed_in("taken@example.com").await;
    let res = put_me(
        &app,
        &id,
        &tokens,
        json!({"email": "taken@example.com", "currentPassword": PASSWORD}),
    )
    .await;
    assert_problem(res, 409, "email_taken").await;

    let res = put_me(
        &app,
        &id,
        &tokens,
        json!({"email": "Ann.Kim@Example.com", "currentPassword": PASSWORD}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["email"], "ann@example.com", "not yet");
    assert_eq!(body["pendingEmail"], "Ann.Kim@example.com");
    assert_eq!(me(&app, &id, &tokens).await["email"], "ann@example.com");
    assert_eq!(
        app.login("ann.kim@example.com", PASSWORD).await.status(),
        401
    );

    // The code goes to the new address (through the notification service).
    let event = app
        .next_event(AUTH_QUEUE, "auth.email_change_requested")
        .await;
    let data: quorum_contracts::events::EmailChangeRequested = event.data_as().unwrap();
    assert_eq!(data.email, "Ann.Kim@example.com");
    assert_eq!(data.user_id.to_string(), id);
    assert_eq!(data.code.len(), 8);
    assert!(data.code.chars().all(|c| c.is_ascii_digit()));

    let confirm = |code: &str| {
        app.authed(Method::POST, "/api/users/me/email/confirm", &id, &tokens)
            .json(&json!({ "code": code }))
            .send()
    };
    let wrong = if data.code == "00000000" {
        "11111111"
    } else {
        "00000000"
    };
    assert_problem(
        confirm(wrong).await.unwrap(),
        422,
        "invalid_confirmation_code",
    )
    .await;
    let res = confirm(&data.code).await.unwrap();
    assert_eq!(res.status(), 200);
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["email"], "Ann.Kim@example.com");
    assert_eq!(me(&app, &id, &tokens).await["email"], "Ann.Kim@example.com");
    assert_eq!(
        app.login("ann.kim@example.com", PASSWORD).await.status(),
        200
    );
    assert_eq!(app.login("ann@example.com", PASSWORD).await.status(), 401);
    // A code works once.
    assert_problem(
        confirm(&data.code).await.unwrap(),
        422,
        "invalid_confirmation_code",
    )
    .await;
}

#[tokio::test]
async fn five_wrong_codes_void_the_request() {
    let settings = quorum_identity::Settings {
        confirm_email_changes: true,
        ..test_settings()
    };
    let app = spawn_app_with(settings).await;
    let (id, tokens) = app.signed_in("ann@example.com").await;
    let res = put_me(
        &app,
        &id,
        &tokens,
        json!({"email": "new@example.com", "currentPassword": PASSWORD}),
    )
    .await;
    assert_eq!(res.status(), 200);
    let event = app
        .next_event(AUTH_QUEUE, "auth.email_change_requested")
        .await;
    let code = event
        .data_as::<quorum_contracts::events::EmailChangeRequested>()
        .unwrap()
        .code;
    let confirm = |code: String| {
        app.authed(Method::POST, "/api/users/me/email/confirm", &id, &tokens)
            .json(&json!({ "code": code }))
            .send()
    };
    let mut tried = 0;
    for guess in 0..100_000_000u32 {
        let guess = format!("{guess:08}");
        if guess == code {
            continue;
        }
        let res = confirm(guess).await.unwrap();
        assert_problem(res, 422, "invalid_confirmation_code").await;
        tried += 1;
        if tried == 5 {
            break;
        }
    }
    assert_problem(
        confirm(code).await.unwrap(),
        422,
        "invalid_confirmation_code",
    )
    .await;
    assert_eq!(me(&app, &id, &tokens).await["email"], "ann@example.com");
}
