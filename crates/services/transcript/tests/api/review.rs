//! Correcting and verifying sections; cache eviction after writes.

use quorum_contracts::events::TranscriptVerified;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{ended, spawn_app, TestApp};

/// A two-section transcript of a meeting with `owner` and `guest`; returns its id.
async fn two_sections(app: &TestApp, owner: Uuid, guest: Uuid) -> String {
    let e = ended(
        owner,
        &[(owner, "Owner"), (guest, "Guest")],
        Some("Owner: ship it\nGuest: agreed"),
        None,
    );
    app.end_meeting(&e).await;
    let t = app.transcript_of(e.meeting_id, owner).await;
    assert_eq!(app.events(1).await[0].kind, "transcript.created");
    t["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn verifying_every_section_verifies_the_transcript_once() {
    let app = spawn_app().await;
    let (owner, guest) = (Uuid::now_v7(), Uuid::now_v7());
    let id = two_sections(&app, owner, guest).await;
    let base = format!("/api/transcripts/{id}/sections");

    let res = app
        .post(&format!("{base}/0/verify"), guest, json!({}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(res.body["status"], "DRAFT");
    assert_eq!(res.body["sections"][0]["verified"], true);
    assert_eq!(res.body["sections"][0]["verifiedBy"], guest.to_string());
    assert!(res.body["sections"][0]["verifiedAt"].is_string());

    let res = app
        .post(&format!("{base}/1/verify"), owner, json!({}))
        .await;
    assert_eq!(res.body["status"], "VERIFIED");
    // Verifying again changes nothing and publishes nothing.
    let again = app
        .post(&format!("{base}/1/verify"), guest, json!({}))
        .await;
    assert_eq!(again.body["status"], "VERIFIED");
    assert_eq!(again.body["sections"][1]["verifiedBy"], owner.to_string());

    let events = app.events(1).await;
    assert_eq!(events[0].kind, "transcript.verified");
    let v: TranscriptVerified = events[0].data_as().unwrap();
    assert_eq!(v.transcript_id.to_string(), id);
    assert_eq!(v.participant_ids, [owner, guest]);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(
        app.pending_events().await,
        0,
        "transcript.verified is published once"
    );

    let missing = app
        .post(&format!("{base}/7/verify"), owner, json!({}))
        .await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_correction_replaces_the_text_and_unverifies_the_section() {
    let app = spawn_app().await;
    let (owner, guest) = (Uuid::now_v7(), Uuid::now_v7());
    let id = two_sections(&app, owner, guest).await;
    let base = format!("/api/transcripts/{id}/sections");
    app.post(&format!("{base}/0/verify"), owner, json!({}))
        .await;
    let done = app
        .post(&format!("{base}/1/verify"), owner, json!({}))
        .await;
    assert_eq!(done.body["status"], "VERIFIED");

    let res = app
        .put(
            &format!("{base}/1"),
            guest,
            json!({"text": "  agreed, with one change  "}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(res.body["status"], "DRAFT");
    let s = &res.body["sections"][1];
    assert_eq!(s["text"], "agreed, with one change");
    assert_eq!(s["verified"], false);
    assert_eq!(s["editedBy"], guest.to_string());
    assert!(s.get("verifiedBy").is_none());
    assert_eq!(
        res.body["sections"][0]["verified"], true,
        "other sections keep theirs"
    );
}

#[tokio::test]
async fn bad_corrections_are_4xx_problems() {
    let app = spawn_app().await;
    let (owner, guest) = (Uuid::now_v7(), Uuid::now_v7());
    let id = two_sections(&app, owner, guest).await;
    let base = format!("/api/transcripts/{id}/sections");
    let cases = [
        (
            format!("{base}/0"),
            json!({"text": "   "}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("{base}/0"),
            json!({"text": "x".repeat(10_001)}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("{base}/0"),
            json!({"txt": "hi"}),
            StatusCode::UNPROCESSABLE_ENTITY,
        ),
        (
            format!("{base}/9"),
            json!({"text": "hi"}),
            StatusCode::NOT_FOUND,
        ),
        (
            format!("{base}/first"),
            json!({"text": "hi"}),
            StatusCode::BAD_REQUEST,
        ),
        (
            "/api/transcripts/nope/sections/0".into(),
            json!({"text": "hi"}),
            StatusCode::BAD_REQUEST,
        ),
    ];
    for (path, body, status) in cases {
        let res = app.put(&path, owner, body).await;
        assert_eq!(res.status, status, "{path}: {:?}", res.body);
        assert!(res.body["code"].is_string(), "{:?}", res.body);
    }
    let ok = app
        .put(
            &format!("{base}/0"),
            owner,
            json!({"text": "x".repeat(10_000)}),
        )
        .await;
    assert_eq!(ok.status, StatusCode::OK);
}

#[tokio::test]
async fn reads_are_cached_and_every_write_evicts() {
    let app = spawn_app().await;
    let (owner, guest) = (Uuid::now_v7(), Uuid::now_v7());
    let id = two_sections(&app, owner, guest).await;
    let path = format!("/api/transcripts/{id}");
    assert_eq!(
        app.get(&path, owner).await.body["sections"][0]["text"],
        "ship it"
    );
    // A change behind the service's back is not seen while the cached copy lives…
    sqlx::query("UPDATE transcript_sections SET text = 'changed in the database' WHERE idx = 0")
        .execute(app.db.db.writer())
        .await
        .unwrap();
    assert_eq!(
        app.get(&path, owner).await.body["sections"][0]["text"],
        "ship it"
    );
    // …and a write through the API evicts it.
    app.put(
        &format!("{path}/sections/1"),
        owner,
        json!({"text": "agreed!"}),
    )
    .await;
    let after = app.get(&path, owner).await;
    assert_eq!(after.body["sections"][0]["text"], "changed in the database");
    assert_eq!(after.body["sections"][1]["text"], "agreed!");
}
