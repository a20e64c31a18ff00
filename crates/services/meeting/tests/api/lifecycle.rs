use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{spawn_app, TestApp};

async fn act(app: &TestApp, user: uuid::Uuid, id: &str, action: &str) -> crate::helpers::Resp {
    app.post(&format!("/api/meetings/{id}/{action}"), user, json!({}))
        .await
}

#[tokio::test]
async fn a_meeting_runs_from_scheduled_to_ended_with_notes() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let guest = app.given_user("Guest", "guest@example.com").await;
    let m = app.meeting(owner, "sync", &[guest]).await;
    let id = m["id"].as_str().unwrap();
    let notes_path = format!("/api/meetings/{id}/notes");

    // Participants may prepare notes before the meeting starts.
    let res = app
        .put(&notes_path, guest, json!({"notes": "Guest: prep"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(res.body["notes"], "Guest: prep");
    assert_eq!(res.body["status"], "SCHEDULED");

    let started = act(&app, owner, id, "start").await;
    assert_eq!(started.status, StatusCode::OK);
    assert_eq!(started.body["status"], "IN_PROGRESS");
    assert!(started.body["startedAt"].is_string());

    let res = app
        .put(
            &notes_path,
            owner,
            json!({"notes": "Owner: hello\nGuest: hi"}),
        )
        .await;
    assert_eq!(res.body["notes"], "Owner: hello\nGuest: hi");
    let too_long = app
        .put(&notes_path, guest, json!({"notes": "x".repeat(200_001)}))
        .await;
    assert_eq!(too_long.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(too_long.detail().contains("notes"));

    let ended = act(&app, owner, id, "end").await;
    assert_eq!(ended.status, StatusCode::OK);
    assert_eq!(ended.body["status"], "ENDED");
    assert!(ended.body["endedAt"].is_string());
    assert_eq!(
        ended.body["notes"], "Owner: hello\nGuest: hi",
        "kept when end has no notes"
    );

    let late = app.put(&notes_path, guest, json!({"notes": "late"})).await;
    assert_eq!(late.status, StatusCode::CONFLICT);
    assert!(
        late.detail().starts_with("meeting is ENDED;"),
        "{:?}",
        late.body
    );
}

#[tokio::test]
async fn end_accepts_final_notes_or_no_body() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let m = app.meeting(owner, "a", &[]).await;
    let id = m["id"].as_str().unwrap();
    act(&app, owner, id, "start").await;
    let res = app
        .post(
            &format!("/api/meetings/{id}/end"),
            owner,
            json!({"notes": "Owner: final"}),
        )
        .await;
    assert_eq!(res.body["notes"], "Owner: final");

    let m = app.meeting(owner, "b", &[]).await;
    let id = m["id"].as_str().unwrap();
    act(&app, owner, id, "start").await;
    let bad = app
        .client
        .post(format!("{}/api/meetings/{id}/end", app.base))
        .header("x-quorum-user-id", owner.to_string())
        .body("{oops")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), StatusCode::BAD_REQUEST);
    let res = app
        .call(
            Method::POST,
            &format!("/api/meetings/{id}/end"),
            Some(owner),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(res.body["status"], "ENDED");

    // `null`, the documented absent body, ends it as no body does.
    let m = app.meeting(owner, "c", &[]).await;
    let id = m["id"].as_str().unwrap();
    act(&app, owner, id, "start").await;
    let res = app
        .post(&format!("/api/meetings/{id}/end"), owner, json!(null))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(res.body["status"], "ENDED");
}

#[tokio::test]
async fn cancel_works_from_scheduled_and_in_progress() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let a = app.meeting(owner, "a", &[]).await;
    let res = act(&app, owner, a["id"].as_str().unwrap(), "cancel").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["status"], "CANCELLED");
    let b = app.meeting(owner, "b", &[]).await;
    let b = b["id"].as_str().unwrap();
    act(&app, owner, b, "start").await;
    assert_eq!(
        act(&app, owner, b, "cancel").await.body["status"],
        "CANCELLED"
    );
}

#[tokio::test]
async fn every_invalid_transition_is_409_with_a_message() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let scheduled = app.meeting(owner, "s", &[]).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let live = app.meeting(owner, "l", &[]).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    act(&app, owner, &live, "start").await;
    let ended = app.meeting(owner, "e", &[]).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    act(&app, owner, &ended, "start").await;
    act(&app, owner, &ended, "end").await;
    let cancelled = app.meeting(owner, "c", &[]).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    act(&app, owner, &cancelled, "cancel").await;

    let cases = [
        (
            &scheduled,
            "end",
            "meeting is SCHEDULED; only an IN_PROGRESS meeting can be ended",
        ),
        (
            &live,
            "start",
            "meeting is IN_PROGRESS; only a SCHEDULED meeting can be started",
        ),
        (
            &ended,
            "start",
            "meeting is ENDED; only a SCHEDULED meeting can be started",
        ),
        (
            &ended,
            "end",
            "meeting is ENDED; only an IN_PROGRESS meeting can be ended",
        ),
        (
            &ended,
            "cancel",
            "meeting is ENDED; only a SCHEDULED or IN_PROGRESS meeting can be cancelled",
        ),
        (
            &cancelled,
            "start",
            "meeting is CANCELLED; only a SCHEDULED meeting can be started",
        ),
        (
            &cancelled,
            "end",
            "meeting is CANCELLED; only an IN_PROGRESS meeting can be ended",
        ),
        (
            &cancelled,
            "cancel",
            "meeting is CANCELLED; only a SCHEDULED or IN_PROGRESS meeting can be cancelled",
        ),
    ];
    for (id, action, message) in cases {
        let res = act(&app, owner, id, action).await;
        assert_eq!(res.status, StatusCode::CONFLICT, "{action}: {:?}", res.body);
        assert_eq!(res.body["code"], "invalid_meeting_transition");
        assert_eq!(res.detail(), message);
    }
    let notes = app
        .put(
            &format!("/api/meetings/{cancelled}/notes"),
            owner,
            json!({"notes": "n"}),
        )
        .await;
    assert_eq!(notes.status, StatusCode::CONFLICT);
}

#[tokio::test]
async fn participants_may_not_drive_the_meeting_and_outsiders_see_nothing() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let guest = app.given_user("Guest", "guest@example.com").await;
    let outsider = app.given_user("Out", "out@example.com").await;
    let id = app.meeting(owner, "m", &[guest]).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    for action in ["start", "end", "cancel"] {
        let res = act(&app, guest, &id, action).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{action}");
        assert!(res.detail().contains("owner"), "{:?}", res.body);
        assert_eq!(
            act(&app, outsider, &id, action).await.status,
            StatusCode::NOT_FOUND,
            "{action}"
        );
    }
    let notes = app
        .put(
            &format!("/api/meetings/{id}/notes"),
            outsider,
            json!({"notes": "x"}),
        )
        .await;
    assert_eq!(notes.status, StatusCode::NOT_FOUND);
    assert_eq!(
        app.get(&format!("/api/meetings/{id}"), owner).await.body["status"],
        "SCHEDULED"
    );
}
