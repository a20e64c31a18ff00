use quorum_contracts::events::{USER_CREATED, USER_UPDATED};
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{spawn_app, TestApp};

async fn directory_rows(app: &TestApp, user: uuid::Uuid) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM user_directory WHERE user_id = $1")
        .bind(user.to_string())
        .fetch_one(app.db.reader())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_redelivered_user_event_is_applied_once() {
    let app = spawn_app().await;
    let user = uuid::Uuid::now_v7();
    let first = TestApp::user_envelope(USER_CREATED, user, "Original", "o@example.com");
    app.publish_user_event(&first).await;
    app.eventually("the user to arrive", || async {
        app.directory_name(user).await.is_some()
    })
    .await;
    // The same event id again (a redelivery), here carrying a different name: the inbox must
    // recognise it and change nothing.
    let mut again = first.clone();
    again.data["name"] = json!("Replayed");
    app.publish_user_event(&again).await;
    // A later event for another user; with one worker it is handled after the duplicate.
    let sentinel = app.given_user("Sentinel", "s@example.com").await;
    assert!(app.directory_name(sentinel).await.is_some());
    assert_eq!(directory_rows(&app, user).await, 1);
    assert_eq!(app.directory_name(user).await.as_deref(), Some("Original"));
}

#[tokio::test]
async fn renamed_and_deleted_users_show_in_participant_lists() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let guest = app.given_user("Old Name", "guest@example.com").await;
    let m = app.meeting(owner, "m", &[guest]).await;
    let path = format!("/api/meetings/{}", m["id"].as_str().unwrap());
    assert_eq!(
        app.get(&path, owner).await.body["participants"][1]["name"],
        "Old Name"
    );

    let renamed = TestApp::user_envelope(USER_UPDATED, guest, "New Name", "new@example.com");
    app.publish_user_event(&renamed).await;
    app.eventually("the cached participant list to be evicted", || async {
        app.get(&path, owner).await.body["participants"][1]["name"] == "New Name"
    })
    .await;
    // The new address is never shown to the owner.
    let seen = app.get(&path, owner).await.body;
    assert!(!seen.to_string().contains("new@example.com"), "{seen}");

    app.publish_user_event(&TestApp::deleted_envelope(guest))
        .await;
    app.eventually("the user to leave the directory", || async {
        app.directory_name(guest).await.is_none()
    })
    .await;
    // The cached list is evicted just after the change commits: wait for what the owner sees.
    app.eventually("the cached participant list to be evicted", || async {
        app.get(&path, owner).await.body["participants"][1]["name"] == ""
    })
    .await;
    let after = app.get(&path, owner).await;
    assert_eq!(after.body["participants"][1]["userId"], guest.to_string());
    assert_eq!(after.body["participants"][1]["name"], "");
    let res = app
        .post(
            "/api/meetings",
            owner,
            json!({"title": "t", "scheduledAt": "2025-03-01T09:00:00Z", "participantIds": [guest]}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn user_events_out_of_order_settle_on_the_latest_state_and_never_revive_a_deleted_user() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let history = quorum_test_support::users::OutOfOrder::new();
    history
        .deliver(&*app.broker, &app.db, "meeting.directory")
        .await;

    // The rename that arrived before the creation is kept.
    assert_eq!(
        app.directory_name(history.renamed).await.as_deref(),
        Some("Latest Name")
    );
    // The deleted user stays deleted: the late creation and rename do not bring them back,
    // so they cannot be invited.
    assert_eq!(app.directory_name(history.deleted).await, None);
    let res = app
        .post(
            "/api/meetings",
            owner,
            json!({"title": "t", "scheduledAt": "2025-03-01T09:00:00Z",
                   "participantIds": [history.renamed, history.deleted]}),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        res.body
    );
    assert!(
        res.detail().contains(&history.deleted.to_string()),
        "{}",
        res.detail()
    );
    assert!(
        !res.detail().contains(&history.renamed.to_string()),
        "{}",
        res.detail()
    );
}
