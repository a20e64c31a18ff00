//! Sessions end everywhere at once, through the gateway: signing out ends every access token
//! of the session and the event streams they hold open; password guesses slow one account
//! down whichever address they come from.

use std::time::Duration;

use futures::StreamExt as _;
use serde_json::{json, Value};

use crate::helpers::{spawn_with, test_settings};

fn unique_email(tag: &str) -> String {
    format!("{tag}-{}@example.com", uuid::Uuid::new_v4().simple())
}

#[tokio::test]
async fn signing_out_ends_the_session_its_other_tokens_and_its_open_streams() {
    let data = tempfile::tempdir().unwrap();
    let mut settings = test_settings(data.path());
    settings.gateway.auth.stream_recheck_secs = 1;
    let app = spawn_with(settings, data).await;
    let ann = app.register("Ann", &unique_email("ann")).await;

    // A second tab of the same session: a refreshed pair.
    let second: Value = app
        .client
        .post(app.url("/api/users/refresh"))
        .json(&json!({"refreshToken": ann.refresh}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let second_token = second["accessToken"].as_str().unwrap().to_string();

    // The notifications stream, open with the second token.
    let stream = app
        .client
        .get(app.url("/api/notifications/stream"))
        .bearer_auth(&second_token)
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), 200);
    let mut chunks = stream.bytes_stream();
    let first = tokio::time::timeout(Duration::from_secs(5), chunks.next())
        .await
        .expect("the stream says it is ready")
        .unwrap()
        .unwrap();
    assert!(String::from_utf8_lossy(&first).contains("ready"));

    // Sign out with the first token and no body.
    let res = app
        .client
        .post(app.url("/api/users/logout"))
        .bearer_auth(&ann.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);

    // The open stream ends within the recheck interval…
    let ended = tokio::time::timeout(Duration::from_secs(5), async {
        while let Some(chunk) = chunks.next().await {
            if chunk.is_err() {
                break;
            }
        }
    })
    .await;
    assert!(ended.is_ok(), "the stream is still open after sign-out");
    // …the session's other access token is refused, and so is its refresh token.
    let res = app
        .client
        .get(app.url("/api/users/me"))
        .bearer_auth(&second_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = app
        .client
        .post(app.url("/api/users/refresh"))
        .json(&json!({"refreshToken": second["refreshToken"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let res = app
        .client
        .get(app.url("/api/notifications/stream"))
        .bearer_auth(&second_token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401, "a reconnecting stream is refused");
    app.stop().await;
}

#[tokio::test]
async fn guesses_at_one_account_are_slowed_down_whoever_sends_them() {
    let app = crate::helpers::spawn_app().await;
    let email = unique_email("bo");
    let bo = app.register("Bo", &email).await;
    let login = |password: &'static str, forwarded: String| {
        app.client
            .post(app.url("/api/users/login"))
            .header("x-forwarded-for", forwarded)
            .json(&json!({"email": email, "password": password}))
            .send()
    };
    for n in 0..5 {
        let res = login("wrong guess", format!("203.0.113.{n}"))
            .await
            .unwrap();
        assert_eq!(res.status(), 401);
    }
    let res = login("correct horse battery", "198.51.100.7".into())
        .await
        .unwrap();
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key("retry-after"));
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "login_throttled", "{problem}");
    // Bo's session is untouched, and other accounts sign in as usual.
    let res = app.get(&bo, "/api/users/me").await;
    assert_eq!(res.status(), 200);
    app.register("Cy", &unique_email("cy")).await;
    app.stop().await;
}
