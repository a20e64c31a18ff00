use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{meeting_ended, spawn_app, spawn_with, TestApp};

async fn put(app: &TestApp, user: Uuid, body: Value) -> crate::helpers::Resp {
    app.call(
        Method::PUT,
        "/api/notifications/preferences",
        Some(user),
        Some(body),
    )
    .await
}

#[tokio::test]
async fn everything_is_on_until_changed_and_changes_are_kept() {
    let app = spawn_with(None).await;
    let user = Uuid::now_v7();
    let res = app.get("/api/notifications/preferences", user).await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(
        res.body["channels"],
        json!({"inApp": true, "email": true, "webhook": true})
    );
    assert_eq!(res.body["kinds"].as_object().unwrap().len(), 8);
    assert_eq!(
        res.body["kinds"]["todo.created"],
        json!({"email": true, "inApp": true})
    );

    let res = put(
        &app,
        user,
        json!({"channels": {"webhook": false}, "kinds": {"todo.created": {"email": false}}}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    let got = app.get("/api/notifications/preferences", user).await.body;
    assert_eq!(got, res.body);
    assert_eq!(got["channels"]["webhook"], false);
    assert_eq!(got["channels"]["email"], true);
    assert_eq!(
        got["kinds"]["todo.created"],
        json!({"email": false, "inApp": true})
    );
    // Another user is unaffected.
    let other = app
        .get("/api/notifications/preferences", Uuid::now_v7())
        .await;
    assert_eq!(other.body["channels"]["webhook"], true);
}

#[tokio::test]
async fn invalid_preferences_are_422_naming_the_problem() {
    let app = spawn_with(None).await;
    let user = Uuid::now_v7();
    let res = put(
        &app,
        user,
        json!({"kinds": {"meeting.exploded": {"email": false}}}),
    )
    .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(res.body["code"], "validation_failed");
    assert!(res.body["detail"]
        .as_str()
        .unwrap()
        .contains("meeting.exploded"));
    for body in [
        json!({"channels": {"sms": true}}),
        json!({"kinds": {"todo.created": {"email": "no"}}}),
        json!({"colour": "blue"}),
    ] {
        let res = put(&app, user, body.clone()).await;
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{body}: {:?}",
            res.body
        );
    }
    let res = app
        .client
        .put(format!("{}/api/notifications/preferences", app.base))
        .header("x-quorum-user-id", user.to_string())
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    // Nothing was stored.
    let got = app.get("/api/notifications/preferences", user).await.body;
    assert_eq!(
        got["kinds"]["meeting.ended"],
        json!({"email": true, "inApp": true})
    );
}

#[tokio::test]
async fn turning_email_off_leaves_in_app_only() {
    let app = spawn_app().await;
    let quiet = app
        .given_user("Quiet", "quiet@example.com", Some("en"))
        .await;
    let loud = app.given_user("Loud", "loud@example.com", Some("en")).await;
    let res = put(&app, quiet, json!({"channels": {"email": false}})).await;
    assert_eq!(res.status, StatusCode::OK);
    let res = put(
        &app,
        loud,
        json!({"kinds": {"meeting.ended": {"inApp": false}}}),
    )
    .await;
    assert_eq!(res.status, StatusCode::OK);

    app.publish_meeting(&meeting_ended("Budget", &[quiet, loud]))
        .await;
    app.wait_notifications(quiet, 1).await;
    // `loud` turned in-app off for this kind: e-mail only.
    app.sink().wait_for("loud@example.com", 1).await;
    assert!(app.notifications(loud).await.is_empty());
    assert!(app.delivery_states(quiet).await.is_empty());
    assert!(app.sink().mails_to("quiet@example.com").is_empty());
}
