//! `meeting.deleted`: the meeting's transcript goes with its sections and shares, and a
//! `meeting.ended` that arrives after the deletion makes no transcript.

use chrono::Utc;
use quorum_bus::Envelope;
use quorum_contracts::events::{MeetingDeleted, MeetingEnded, MEETING_DELETED};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{ended, spawn_app, TestApp};

fn deleted(e: &MeetingEnded) -> Envelope {
    let payload = MeetingDeleted {
        meeting_id: e.meeting_id,
        owner_id: e.owner_id,
        participant_ids: e.participant_ids.clone(),
        occurred_at: Utc::now(),
    };
    Envelope::new(
        MEETING_DELETED,
        "quorum/meeting",
        Some(e.meeting_id.to_string()),
        SCHEMA_VERSION,
        &payload,
    )
    .unwrap()
}

async fn count(app: &TestApp, sql: &str, bind: String) -> i64 {
    sqlx::query_scalar(sql)
        .bind(bind)
        .fetch_one(app.db.db.reader())
        .await
        .unwrap()
}

async fn handled(app: &TestApp, consumer: &str, event: Uuid) -> bool {
    count(
        app,
        &format!("SELECT COUNT(*) FROM inbox WHERE consumer = '{consumer}' AND event_id = $1"),
        event.to_string(),
    )
    .await
        == 1
}

#[tokio::test]
async fn a_deleted_meetings_transcript_and_shares_go_and_a_late_end_makes_none() {
    let app = spawn_app().await;
    let owner = app.given_user("Alice Kim").await;
    let reader = app.given_user("Dana Reader").await;
    let e = ended(
        owner,
        &[(owner, "Alice Kim")],
        Some("Alice: We ship on Friday."),
        None,
    );
    app.end_meeting(&e).await;
    let t = app.transcript_of(e.meeting_id, owner).await;
    let id = t["id"].as_str().unwrap().to_string();
    let shared = app
        .post(
            &format!("/api/transcripts/{id}/share"),
            owner,
            json!({ "userIds": [reader] }),
        )
        .await;
    assert_eq!(shared.status, StatusCode::OK, "{:?}", shared.body);
    assert_eq!(
        app.get(&format!("/api/transcripts/{id}"), reader)
            .await
            .status,
        StatusCode::OK
    );

    let gone = deleted(&e);
    app.publish(exchanges::MEETING, &gone).await;
    app.eventually("the deletion to be handled", || {
        handled(&app, "transcript.meeting_deleted", gone.id)
    })
    .await;
    for user in [owner, reader] {
        let res = app.get(&format!("/api/transcripts/{id}"), user).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{:?}", res.body);
        let res = app
            .get(
                &format!("/api/transcripts?meetingId={}", e.meeting_id),
                user,
            )
            .await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{:?}", res.body);
    }
    for table in ["transcript_sections", "transcript_readers"] {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE transcript_id = $1");
        assert_eq!(count(&app, &sql, id.clone()).await, 0, "{table}");
    }

    // The same event again changes nothing; a meeting deleted before its end arrives gets
    // no transcript and no `transcript.created`.
    app.publish(exchanges::MEETING, &gone).await;
    let late = ended(
        owner,
        &[(owner, "Alice Kim")],
        Some("Alice: Too late."),
        None,
    );
    let first = deleted(&late);
    app.publish(exchanges::MEETING, &first).await;
    app.eventually("the second deletion to be handled", || {
        handled(&app, "transcript.meeting_deleted", first.id)
    })
    .await;
    let end = app.end_meeting(&late).await;
    app.eventually("the late end to be handled", || {
        handled(&app, "transcript.meetings", end.id)
    })
    .await;
    let sql = "SELECT COUNT(*) FROM transcripts WHERE meeting_id = $1";
    assert_eq!(count(&app, sql, late.meeting_id.to_string()).await, 0);
    assert_eq!(count(&app, sql, e.meeting_id.to_string()).await, 0);
    let events = app.events(2).await;
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["transcript.created", "transcript.shared"]);
    assert_eq!(app.pending_events().await, 0, "nothing for the late end");
}
