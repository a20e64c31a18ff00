//! `meeting.deleted`: the meeting's analyses, suggestions, tasks and kept transcript go, and
//! an analysis that finishes after the deletion is dropped, not stored or announced.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use quorum_ai::Settings;
use quorum_bus::Envelope;
use quorum_contracts::events::{MeetingDeleted, TranscriptCreated, MEETING_DELETED};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use quorum_test_support::service;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{
    envelope, spawn_app, spawn_with, transcript, People, StubEngine, TestApp, EVENTS_QUEUE,
};

async fn delete_meeting(app: &TestApp, t: &TranscriptCreated) {
    let payload = MeetingDeleted {
        meeting_id: t.meeting_id,
        owner_id: t.owner_id,
        participant_ids: t.participant_ids.clone(),
        occurred_at: Utc::now(),
    };
    let deleted = Envelope::new(
        MEETING_DELETED,
        "quorum/meeting",
        Some(t.meeting_id.to_string()),
        SCHEMA_VERSION,
        &payload,
    )
    .unwrap();
    service::publish(&*app.broker, exchanges::MEETING, &deleted).await;
    app.eventually("the deletion to be handled", || {
        handled(app, "ai.meeting_deleted", deleted.id)
    })
    .await;
}

async fn handled(app: &TestApp, consumer: &str, event: Uuid) -> bool {
    app.count(&format!(
        "SELECT COUNT(*) FROM inbox WHERE consumer = '{consumer}' AND event_id = '{event}'"
    ))
    .await
        == 1
}

async fn rows_of(app: &TestApp, table: &str, meeting: Uuid) -> i64 {
    app.count(&format!(
        "SELECT COUNT(*) FROM {table} WHERE meeting_id = '{meeting}'"
    ))
    .await
}

const TABLES: [&str; 4] = [
    "transcripts",
    "analyses",
    "schedule_suggestions",
    "ai_tasks",
];

#[tokio::test]
async fn a_deleted_meetings_analyses_suggestions_and_tasks_go() {
    let app = spawn_app().await;
    let people = People::new();
    let t = transcript(&people);
    let analysis = app.analysed(&t).await;
    let body = json!({"meetingId": t.meeting_id, "transcriptId": t.transcript_id});
    let res = app.post("/api/ai/summaries", people.guest, body).await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{:?}", res.body);
    let status_url = res.body["statusUrl"].as_str().unwrap().to_string();
    let (_, done) = app.poll(&status_url, people.guest).await;
    assert_eq!(done.body["status"], "COMPLETED", "{:?}", done.body);
    for table in TABLES {
        assert!(rows_of(&app, table, t.meeting_id).await > 0, "{table}");
    }
    let ics = analysis["scheduleSuggestions"][0]["icsUrl"]
        .as_str()
        .unwrap()
        .to_string();
    assert_eq!(app.get(&ics, people.owner).await.status, StatusCode::OK);

    delete_meeting(&app, &t).await;
    for table in TABLES {
        assert_eq!(rows_of(&app, table, t.meeting_id).await, 0, "{table}");
    }
    for user in [people.owner, people.guest] {
        let path = format!("/api/ai/meetings/{}/analysis", t.meeting_id);
        assert_eq!(app.get(&path, user).await.status, StatusCode::NOT_FOUND);
        assert_eq!(app.get(&ics, user).await.status, StatusCode::NOT_FOUND);
    }
    let task = app.get(&status_url, people.guest).await;
    assert_eq!(task.status, StatusCode::NOT_FOUND, "{:?}", task.body);
    // A new request about the deleted meeting's transcript finds nothing.
    let body = json!({"meetingId": t.meeting_id, "transcriptId": t.transcript_id});
    let again = app.post("/api/ai/summaries", people.owner, body).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "{:?}", again.body);
}

#[tokio::test]
async fn an_analysis_that_finishes_after_the_deletion_is_dropped() {
    let slow = Arc::new(StubEngine {
        delay: Duration::from_millis(1500),
    });
    let app = spawn_with(Settings::default(), slow).await;
    let people = People::new();
    let t = transcript(&people);
    let created = envelope(&t);
    app.publish(&created).await;
    // The transcript is kept and the engine is running.
    app.eventually("the transcript to be kept", || async {
        rows_of(&app, "transcripts", t.meeting_id).await == 1
    })
    .await;
    delete_meeting(&app, &t).await;
    app.eventually("the analysis to finish", || {
        handled(&app, "ai.transcripts", created.id)
    })
    .await;
    for table in TABLES {
        assert_eq!(rows_of(&app, table, t.meeting_id).await, 0, "{table}");
    }
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 0);
    assert_eq!(app.depth(EVENTS_QUEUE).await, 0, "nothing announced");

    // A `transcript.created` that arrives after the deletion is not even kept.
    app.publish(&envelope(&t)).await;
    app.eventually("the late transcript to be handled", || async {
        app.depth("ai.transcript.queue").await == 0
    })
    .await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(rows_of(&app, "transcripts", t.meeting_id).await, 0);
}
