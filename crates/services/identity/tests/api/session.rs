use reqwest::Method;
use serde_json::{json, Value};

use crate::helpers::{assert_problem, spawn_app, AUTH_QUEUE, PASSWORD};

#[tokio::test]
async fn login_returns_a_verifiable_token_pair() {
    let app = spawn_app().await;
    let (id, tokens) = app.signed_in("ann@example.com").await;
    assert_eq!(tokens["tokenType"], "Bearer");
    assert_eq!(tokens["expiresIn"], 900);
    assert!(!tokens["refreshToken"].as_str().unwrap().is_empty());
    let claims = app
        .verifier()
        .await
        .verify(tokens["accessToken"].as_str().unwrap())
        .unwrap();
    assert_eq!(claims.sub.to_string(), id);
    // The e-mail matches case-insensitively.
    assert_eq!(app.login("ANN@example.com", PASSWORD).await.status(), 200);
}

#[tokio::test]
async fn bad_credentials_are_401_alike() {
    let app = spawn_app().await;
    app.signed_in("ann@example.com").await;
    let wrong = assert_problem(
        app.login("ann@example.com", "wrong password").await,
        401,
        "bad_credentials",
    )
    .await;
    let unknown = assert_problem(
        app.login("bob@example.com", PASSWORD).await,
        401,
        "bad_credentials",
    )
    .await;
    assert_eq!(wrong["detail"], unknown["detail"]);
}

async fn refresh(app: &crate::helpers::TestApp, token: &Value) -> reqwest::Response {
    app.post("/api/users/refresh", &json!({"refreshToken": token}))
        .await
}

#[tokio::test]
async fn refresh_rotates_and_reuse_revokes_the_family() {
    let app = spawn_app().await;
    let (id, first) = app.signed_in("ann@example.com").await;

    let res = refresh(&app, &first["refreshToken"]).await;
    assert_eq!(res.status(), 200);
    let second: Value = res.json().await.unwrap();
    assert_ne!(second["refreshToken"], first["refreshToken"]);
    let claims = app
        .verifier()
        .await
        .verify(second["accessToken"].as_str().unwrap())
        .unwrap();
    assert_eq!(claims.sub.to_string(), id);

    // The first token is spent: presenting it again is reuse, and revokes the family…
    assert_problem(
        refresh(&app, &first["refreshToken"]).await,
        401,
        "refresh_token_reused",
    )
    .await;
    // …so the newest token of the family no longer works either.
    assert_problem(
        refresh(&app, &second["refreshToken"]).await,
        401,
        "invalid_refresh_token",
    )
    .await;

    // Another login starts a fresh family.
    let res = app.login("ann@example.com", PASSWORD).await;
    let third: Value = res.json().await.unwrap();
    assert_eq!(refresh(&app, &third["refreshToken"]).await.status(), 200);
}

#[tokio::test]
async fn unknown_refresh_token_is_401() {
    let app = spawn_app().await;
    assert_problem(
        refresh(&app, &json!("garbage")).await,
        401,
        "invalid_refresh_token",
    )
    .await;
    assert_problem(
        app.post("/api/users/refresh", &json!({})).await,
        422,
        "invalid_body",
    )
    .await;
}

#[tokio::test]
async fn logout_revokes_the_access_token_and_the_family() {
    let app = spawn_app().await;
    let (id, tokens) = app.signed_in("ann@example.com").await;
    let claims = app
        .verifier()
        .await
        .verify(tokens["accessToken"].as_str().unwrap())
        .unwrap();
    assert!(!app.is_revoked(&claims.jti).await);

    let res = app
        .authed(Method::POST, "/api/users/logout", &id, &tokens)
        .json(&json!({"refreshToken": tokens["refreshToken"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert!(app.is_revoked(&claims.jti).await);
    assert_problem(
        refresh(&app, &tokens["refreshToken"]).await,
        401,
        "invalid_refresh_token",
    )
    .await;

    // One event for the session (`sid:…`), one for the token itself.
    let mut keys = Vec::new();
    for _ in 0..2 {
        let event = app.next_event(AUTH_QUEUE, "auth.token_revoked").await;
        let data: quorum_contracts::events::TokenRevoked = event.data_as().unwrap();
        assert_eq!(data.user_id.to_string(), id);
        keys.push(data.jti);
    }
    let sid = claims.sid.clone().unwrap();
    assert!(keys.contains(&claims.jti), "{keys:?}");
    assert!(keys.contains(&format!("sid:{sid}")), "{keys:?}");
}

#[tokio::test]
async fn logout_without_a_body_ends_the_whole_session_of_its_access_token() {
    let app = spawn_app().await;
    let (id, first) = app.signed_in("ann@example.com").await;
    // The same session, refreshed (another tab): a second access token of the family.
    let second: Value = refresh(&app, &first["refreshToken"])
        .await
        .json()
        .await
        .unwrap();
    // Another device: its own session.
    let other: Value = app
        .login("ann@example.com", PASSWORD)
        .await
        .json()
        .await
        .unwrap();

    let res = app
        .authed(Method::POST, "/api/users/logout", &id, &first)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    // Neither the refresh token nor any access token of the session works any more…
    assert_problem(
        refresh(&app, &second["refreshToken"]).await,
        401,
        "invalid_refresh_token",
    )
    .await;
    assert!(app.is_refused(&first).await);
    assert!(
        app.is_refused(&second).await,
        "the refreshed token of the session"
    );
    // …and the other device is still signed in.
    assert!(!app.is_refused(&other).await);
    assert_eq!(refresh(&app, &other["refreshToken"]).await.status(), 200);
    // Other processes learn of it: the session's revocation is an event too.
    let sid = app
        .verifier()
        .await
        .verify(first["accessToken"].as_str().unwrap())
        .unwrap()
        .sid
        .unwrap();
    loop {
        let event = app.next_event(AUTH_QUEUE, "auth.token_revoked").await;
        let data: quorum_contracts::events::TokenRevoked = event.data_as().unwrap();
        if data.jti == format!("sid:{sid}") {
            break;
        }
    }
}

#[tokio::test]
async fn reusing_a_refresh_token_revokes_the_access_tokens_of_its_family() {
    let app = spawn_app().await;
    let (_, stolen) = app.signed_in("ann@example.com").await;
    let (_, bob) = app.signed_in("bob@example.com").await;
    let thief: Value = refresh(&app, &stolen["refreshToken"])
        .await
        .json()
        .await
        .unwrap();
    assert!(!app.is_refused(&thief).await);
    // The owner's copy of the spent token comes back: reuse.
    assert_problem(
        refresh(&app, &stolen["refreshToken"]).await,
        401,
        "refresh_token_reused",
    )
    .await;
    assert!(
        app.is_refused(&thief).await,
        "the thief's access token is dead"
    );
    assert!(app.is_refused(&stolen).await);
    assert!(!app.is_refused(&bob).await, "nobody else's");
}

#[tokio::test]
async fn logout_needs_the_callers_own_valid_token() {
    let app = spawn_app().await;
    let (ann, ann_tokens) = app.signed_in("ann@example.com").await;
    let (bob, _) = app.signed_in("bob@example.com").await;

    let res = app
        .client
        .post(app.url("/api/users/logout"))
        .header(quorum_web::USER_HEADER, &ann)
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "unauthorized").await;
    // Ann's token presented as Bob.
    let res = app
        .authed(Method::POST, "/api/users/logout", &bob, &ann_tokens)
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "unauthorized").await;
    let forged = json!({"accessToken": "a.b.c"});
    let res = app
        .authed(Method::POST, "/api/users/logout", &ann, &forged)
        .send()
        .await
        .unwrap();
    assert_problem(res, 401, "unauthorized").await;
    let res = app
        .authed(Method::POST, "/api/users/logout", &ann, &ann_tokens)
        .header("content-type", "application/json")
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_problem(res, 400, "bad_request").await;
}

#[tokio::test]
async fn signing_out_everywhere_ends_every_session_of_the_account_and_no_other() {
    let app = spawn_app().await;
    let (ann, here) = app.signed_in("ann@example.com").await;
    let elsewhere: Value = app
        .login("ann@example.com", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let (_, bob) = app.signed_in("bob@example.com").await;

    let res = app
        .authed(Method::POST, "/api/users/logout", &ann, &here)
        .json(&json!({"everywhere": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let jti = app
        .verifier()
        .await
        .verify(here["accessToken"].as_str().unwrap())
        .unwrap()
        .jti;
    assert!(app.is_revoked(&jti).await);
    for tokens in [&here, &elsewhere] {
        assert_problem(
            refresh(&app, &tokens["refreshToken"]).await,
            401,
            "invalid_refresh_token",
        )
        .await;
        assert!(app.is_refused(tokens).await, "the access tokens end too");
    }
    assert!(!app.is_refused(&bob).await);
    assert_eq!(refresh(&app, &bob["refreshToken"]).await.status(), 200);
}

#[tokio::test]
async fn a_password_change_needs_the_current_one_and_ends_every_earlier_session() {
    let app = spawn_app().await;
    let (ann, here) = app.signed_in("ann@example.com").await;
    let elsewhere: Value = app
        .login("ann@example.com", PASSWORD)
        .await
        .json()
        .await
        .unwrap();
    let change = |current: &str, new: &str| {
        app.authed(Method::PUT, "/api/users/me/password", &ann, &here)
            .json(&json!({"currentPassword": current, "newPassword": new}))
            .send()
    };
    assert_problem(
        change("not my password", "plum orbit kettle 57")
            .await
            .unwrap(),
        403,
        "wrong_password",
    )
    .await;
    assert_problem(
        change(PASSWORD, "short").await.unwrap(),
        422,
        "validation_failed",
    )
    .await;
    // Refused attempts changed nothing.
    assert_eq!(app.login("ann@example.com", PASSWORD).await.status(), 200);

    let res = change(PASSWORD, "plum orbit kettle 57").await.unwrap();
    assert_eq!(res.status(), 200);
    let fresh: Value = res.json().await.unwrap();
    for tokens in [&here, &elsewhere] {
        assert_problem(
            refresh(&app, &tokens["refreshToken"]).await,
            401,
            "invalid_refresh_token",
        )
        .await;
        assert!(
            app.is_refused(tokens).await,
            "every earlier access token ends"
        );
    }
    assert!(!app.is_refused(&fresh).await);
    assert_eq!(refresh(&app, &fresh["refreshToken"]).await.status(), 200);
    assert_problem(
        app.login("ann@example.com", PASSWORD).await,
        401,
        "bad_credentials",
    )
    .await;
    assert_eq!(
        app.login("ann@example.com", "plum orbit kettle 57")
            .await
            .status(),
        200
    );
}
