//! Who may read, change and share a transcript.

use quorum_contracts::events::{TranscriptShared, TranscriptUnshared};
use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{ended, spawn_app};

#[tokio::test]
async fn outsiders_get_404_and_anonymous_callers_401() {
    let app = spawn_app().await;
    let owner = Uuid::now_v7();
    let e = ended(owner, &[(owner, "Owner")], Some("Owner: hi"), None);
    app.end_meeting(&e).await;
    let t = app.transcript_of(e.meeting_id, owner).await;
    let path = format!("/api/transcripts/{}", t["id"].as_str().unwrap());
    let outsider = Uuid::now_v7();
    let by_meeting = format!("/api/transcripts?meetingId={}", e.meeting_id);
    for p in [&path, &by_meeting] {
        let res = app.get(p, outsider).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{p}");
        assert_eq!(res.body["code"], "transcript_not_found");
        let anon = app.call(Method::GET, p, None, None).await;
        assert_eq!(anon.status, StatusCode::UNAUTHORIZED, "{p}");
    }
    let verify = app
        .post(&format!("{path}/sections/0/verify"), outsider, json!({}))
        .await;
    assert_eq!(verify.status, StatusCode::NOT_FOUND);
    let unknown = app
        .get(
            &format!("/api/transcripts?meetingId={}", Uuid::now_v7()),
            owner,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let bad = app.get("/api/transcripts?meetingId=42", owner).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let none = app.get("/api/transcripts", owner).await;
    assert_eq!(none.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn the_owner_shares_with_known_users_who_may_then_read_but_not_verify() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner").await;
    let guest = Uuid::now_v7();
    let reader = app.given_user("Reader").await;
    let e = ended(
        owner,
        &[(owner, "Owner"), (guest, "Guest")],
        Some("Owner: hi"),
        None,
    );
    app.end_meeting(&e).await;
    let t = app.transcript_of(e.meeting_id, owner).await;
    assert_eq!(app.events(1).await[0].kind, "transcript.created");
    let path = format!("/api/transcripts/{}", t["id"].as_str().unwrap());
    let share = format!("{path}/share");

    let not_owner = app.post(&share, guest, json!({"userIds": [reader]})).await;
    assert_eq!(not_owner.status, StatusCode::FORBIDDEN);
    let stranger = Uuid::now_v7();
    let unknown = app
        .post(&share, owner, json!({"userIds": [reader, stranger]}))
        .await;
    assert_eq!(unknown.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(unknown.body["detail"]
        .as_str()
        .unwrap()
        .contains(&stranger.to_string()));
    let empty = app.post(&share, owner, json!({"userIds": []})).await;
    assert_eq!(empty.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(app.get(&path, reader).await.status, StatusCode::NOT_FOUND);

    // Participants need no share (the guest is unknown to the directory, yet fine here).
    let res = app
        .post(&share, owner, json!({"userIds": [reader, guest]}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(res.body["sharedWith"], json!([reader]));
    let seen = app.get(&path, reader).await;
    assert_eq!(seen.status, StatusCode::OK);
    assert_eq!(seen.body["sections"][0]["text"], "hi");
    let verify = app
        .post(&format!("{path}/sections/0/verify"), reader, json!({}))
        .await;
    assert_eq!(verify.status, StatusCode::FORBIDDEN);
    let reshare = app.post(&share, reader, json!({"userIds": [owner]})).await;
    assert_eq!(reshare.status, StatusCode::FORBIDDEN);

    // Sharing again publishes nothing new.
    app.post(&share, owner, json!({"userIds": [reader]})).await;
    let events = app.events(1).await;
    assert_eq!(events[0].kind, "transcript.shared");
    let shared: TranscriptShared = events[0].data_as().unwrap();
    assert_eq!(shared.user_ids, [reader]);
    assert_eq!(shared.shared_by, owner);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.pending_events().await, 0);
}

#[tokio::test]
async fn the_owner_revokes_a_share_and_the_reader_loses_the_transcript_at_once() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner").await;
    let guest = app.given_user("Guest").await;
    let reader = app.given_user("Reader").await;
    let e = ended(
        owner,
        &[(owner, "Owner"), (guest, "Guest")],
        Some("Owner: hi"),
        None,
    );
    app.end_meeting(&e).await;
    let t = app.transcript_of(e.meeting_id, owner).await;
    app.events(1).await;
    let path = format!("/api/transcripts/{}", t["id"].as_str().unwrap());
    let shared = app
        .post(
            &format!("{path}/share"),
            owner,
            json!({"userIds": [reader]}),
        )
        .await;
    assert_eq!(shared.body["sharedWith"], json!([reader]));
    app.events(1).await;
    // The reader has it (and the cache holds it) before the share is revoked.
    assert_eq!(app.get(&path, reader).await.status, StatusCode::OK);

    let revoke = |user: Uuid| format!("{path}/share/{user}");
    let by_guest = app
        .call(Method::DELETE, &revoke(reader), Some(guest), None)
        .await;
    assert_eq!(by_guest.status, StatusCode::FORBIDDEN);
    let by_reader = app
        .call(Method::DELETE, &revoke(reader), Some(reader), None)
        .await;
    assert_eq!(by_reader.status, StatusCode::FORBIDDEN);
    // A participant reads it by taking part: there is no share of theirs to revoke.
    let participant = app
        .call(Method::DELETE, &revoke(guest), Some(owner), None)
        .await;
    assert_eq!(participant.status, StatusCode::NOT_FOUND);
    let bad = app
        .call(
            Method::DELETE,
            &format!("{path}/share/nobody"),
            Some(owner),
            None,
        )
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);

    let res = app
        .call(Method::DELETE, &revoke(reader), Some(owner), None)
        .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(res.body["sharedWith"], json!([]));
    let gone = app.get(&path, reader).await;
    assert_eq!(gone.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(&path, guest).await.status, StatusCode::OK);
    let events = app.events(1).await;
    assert_eq!(events[0].kind, "transcript.unshared");
    let unshared: TranscriptUnshared = events[0].data_as().unwrap();
    assert_eq!(
        (unshared.user_ids, unshared.revoked_by),
        (vec![reader], owner)
    );
    // Revoking again finds nothing and publishes nothing.
    let again = app
        .call(Method::DELETE, &revoke(reader), Some(owner), None)
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.pending_events().await, 0);
}

#[tokio::test]
async fn user_events_out_of_order_never_make_a_deleted_user_shareable_again() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner").await;
    let history = quorum_test_support::users::OutOfOrder::new();
    history
        .deliver(&*app.broker, &app.db.db, "transcript.directory")
        .await;
    let e = ended(owner, &[(owner, "Owner")], Some("Owner: hi"), None);
    app.end_meeting(&e).await;
    let t = app.transcript_of(e.meeting_id, owner).await;
    let share = format!("/api/transcripts/{}/share", t["id"].as_str().unwrap());

    let gone = app
        .post(&share, owner, json!({"userIds": [history.deleted]}))
        .await;
    assert_eq!(
        gone.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        gone.body
    );
    assert!(gone.detail().contains(&history.deleted.to_string()));
    let renamed = app
        .post(&share, owner, json!({"userIds": [history.renamed]}))
        .await;
    assert_eq!(renamed.status, StatusCode::OK, "{:?}", renamed.body);
}
