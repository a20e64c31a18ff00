//! `DELETE /api/meetings/{id}`: the owner deletes a meeting in any status with everything it
//! keeps for it (participants, recordings and their files) and `meeting.deleted` is
//! published; a participant gets 403, anyone else 404.

use quorum_contracts::events::{MeetingDeleted, MEETING_DELETED};
use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::audio::audio;
use crate::helpers::{spawn_app, Resp, TestApp};

async fn delete(app: &TestApp, user: Uuid, id: &str) -> Resp {
    app.call(
        Method::DELETE,
        &format!("/api/meetings/{id}"),
        Some(user),
        None,
    )
    .await
}

async fn rows(app: &TestApp, table: &str, id: &str) -> i64 {
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM {table} WHERE meeting_id = $1"
    ))
    .bind(id)
    .fetch_one(app.db.reader())
    .await
    .unwrap()
}

#[tokio::test]
async fn the_owner_deletes_an_ended_meeting_with_its_recordings() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let guest = app.given_user("Guest", "guest@example.com").await;
    let m = app.meeting(owner, "Retro", &[guest]).await;
    let id = m["id"].as_str().unwrap();
    let kept = app.meeting(owner, "Kept", &[guest]).await;
    let a = audio("We agreed to ship on Friday.");
    let upload = app.upload(guest, id, &a.wav, "audio/wav").await;
    assert_eq!(upload.status, StatusCode::CREATED, "{:?}", upload.body);
    for action in ["start", "end"] {
        let res = app
            .post(&format!("/api/meetings/{id}/{action}"), owner, json!({}))
            .await;
        assert_eq!(res.status, StatusCode::OK, "{action}: {:?}", res.body);
    }
    assert_eq!(app.files_of(id).len(), 1);
    // Read once, so the cache holds it.
    assert_eq!(
        app.get(&format!("/api/meetings/{id}"), guest).await.status,
        StatusCode::OK
    );

    let res = delete(&app, owner, id).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{:?}", res.body);
    assert!(res.body.is_null(), "no body: {:?}", res.body);

    for user in [owner, guest] {
        let res = app.get(&format!("/api/meetings/{id}"), user).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{:?}", res.body);
        assert_eq!(res.body["code"], "meeting_not_found");
        let list = app.get("/api/meetings", user).await;
        assert_eq!(list.body["total"], 1, "{:?}", list.body);
        assert_eq!(list.body["items"][0]["id"], kept["id"]);
        let recordings = app.recordings(user, id).await;
        assert_eq!(recordings.status, StatusCode::NOT_FOUND);
    }
    assert!(
        !app.recordings_dir.join(id).exists(),
        "the recordings' files are gone"
    );
    for table in ["recordings", "meeting_participants"] {
        assert_eq!(rows(&app, table, id).await, 0, "{table}");
    }

    let again = delete(&app, owner, id).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{:?}", again.body);

    // Created twice, started, ended (the upload before the end publishes nothing), deleted.
    let events = app.events(5).await;
    let last = events.last().unwrap();
    assert_eq!(last.kind, MEETING_DELETED, "{events:?}");
    assert_eq!(last.subject.as_deref(), Some(id));
    let deleted: MeetingDeleted = last.data_as().unwrap();
    assert_eq!(deleted.meeting_id.to_string(), id);
    assert_eq!(deleted.owner_id, owner);
    assert_eq!(deleted.participant_ids, [owner, guest]);
}

#[tokio::test]
async fn only_the_owner_deletes_and_others_learn_nothing() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let guest = app.given_user("Guest", "guest@example.com").await;
    let outsider = app.given_user("Eve", "eve@example.com").await;
    let m = app.meeting(owner, "Planning", &[guest]).await;
    let id = m["id"].as_str().unwrap();

    let res = delete(&app, guest, id).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{:?}", res.body);
    assert_eq!(res.body["code"], "not_meeting_owner");
    assert_eq!(res.detail(), "only the meeting's owner may delete it");

    let hidden = delete(&app, outsider, id).await;
    let unknown = delete(&app, owner, &Uuid::now_v7().to_string()).await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    assert_eq!(hidden.body["code"], unknown.body["code"]);

    let bad = delete(&app, owner, "not-a-uuid").await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert!(bad.detail().contains("not-a-uuid"), "{:?}", bad.body);

    // Nothing happened: still there for both, in any status (a cancelled meeting too).
    for user in [owner, guest] {
        let res = app.get(&format!("/api/meetings/{id}"), user).await;
        assert_eq!(res.status, StatusCode::OK);
    }
    let res = app
        .post(&format!("/api/meetings/{id}/cancel"), owner, json!({}))
        .await;
    assert_eq!(res.body["status"], "CANCELLED");
    assert_eq!(delete(&app, owner, id).await.status, StatusCode::NO_CONTENT);
    let list = app.get("/api/meetings", guest).await;
    assert_eq!(list.body["total"], 0, "{:?}", list.body);
}
