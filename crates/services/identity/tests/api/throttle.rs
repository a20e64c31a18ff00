//! Per-account backoff on password attempts.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::helpers::{assert_problem, spawn_app_with, test_settings, PASSWORD};

fn settings() -> quorum_identity::Settings {
    quorum_identity::Settings {
        login_free_failures: 2,
        login_backoff_base_secs: 1,
        login_backoff_max_secs: 4,
        ..test_settings()
    }
}

fn retry_after(res: &reqwest::Response) -> u64 {
    res.headers()["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap()
}

#[tokio::test]
async fn failed_sign_ins_make_the_account_wait_until_the_right_password() {
    let app = spawn_app_with(settings()).await;
    app.signed_in("ann@example.com").await;
    app.signed_in("bob@example.com").await;
    for _ in 0..2 {
        assert_problem(
            app.login("ann@example.com", "guess one two").await,
            401,
            "bad_credentials",
        )
        .await;
    }
    // The next attempt must wait, even with the right password: it is not even checked.
    let res = app.login("ann@example.com", PASSWORD).await;
    assert_eq!(retry_after(&res), 1);
    let body = assert_problem(res, 429, "login_throttled").await;
    assert!(
        body["detail"].as_str().unwrap().contains("try again"),
        "{body}"
    );
    // However the address is written, and whoever else signs in meanwhile.
    assert_eq!(app.login(" ANN@example.com", PASSWORD).await.status(), 429);
    assert_eq!(app.login("bob@example.com", PASSWORD).await.status(), 200);

    tokio::time::sleep(Duration::from_millis(1100)).await;
    // After the wait: another failure doubles it.
    assert_eq!(
        app.login("ann@example.com", "guess three").await.status(),
        401
    );
    let res = app.login("ann@example.com", PASSWORD).await;
    assert_eq!(retry_after(&res), 2);
    assert_eq!(res.status(), 429);

    tokio::time::sleep(Duration::from_millis(2100)).await;
    // The right password gets in and clears the failures.
    assert_eq!(app.login("ann@example.com", PASSWORD).await.status(), 200);
    for _ in 0..2 {
        assert_eq!(
            app.login("ann@example.com", "guess again").await.status(),
            401
        );
    }
    assert_eq!(app.login("ann@example.com", PASSWORD).await.status(), 429);
}

#[tokio::test]
async fn an_unknown_address_is_slowed_down_alike() {
    let app = spawn_app_with(settings()).await;
    for _ in 0..2 {
        assert_eq!(app.login("nobody@example.com", "guess").await.status(), 401);
    }
    let res = app.login("nobody@example.com", "guess").await;
    assert_problem(res, 429, "login_throttled").await;
}

#[tokio::test]
async fn every_replica_counts_the_same_failures() {
    let app = spawn_app_with(settings()).await;
    app.signed_in("ann@example.com").await;
    let other = app.replica(settings()).await;
    let login = |served: &quorum_test_support::service::Served, password: &str| {
        served
            .client
            .post(served.url("/api/users/login"))
            .json(&json!({"email": "ann@example.com", "password": password}))
            .send()
    };
    assert_eq!(login(&app, "guess one").await.unwrap().status(), 401);
    assert_eq!(login(&other, "guess two").await.unwrap().status(), 401);
    assert_eq!(login(&app, PASSWORD).await.unwrap().status(), 429);
    assert_eq!(login(&other, PASSWORD).await.unwrap().status(), 429);
}

#[tokio::test]
async fn a_stolen_access_token_cannot_guess_the_current_password_fast() {
    let app = spawn_app_with(settings()).await;
    let (id, tokens) = app.signed_in("ann@example.com").await;
    let change = |current: &str| {
        app.authed(Method::PUT, "/api/users/me/password", &id, &tokens)
            .json(&json!({"currentPassword": current, "newPassword": "plum orbit kettle 57"}))
            .send()
    };
    for _ in 0..2 {
        assert_problem(change("guess").await.unwrap(), 403, "wrong_password").await;
    }
    assert_problem(change(PASSWORD).await.unwrap(), 429, "login_throttled").await;
    // Sign-in shares the count: it is one account.
    assert_eq!(app.login("ann@example.com", PASSWORD).await.status(), 429);
}
