//! The automatic analysis of `transcript.created`: stored once, published once, even when
//! the event is redelivered or the transcript is announced again.

use std::time::Duration;

use quorum_ai::Settings;
use quorum_contracts::events::AnalysisCompleted;
use serde_json::json;

use crate::helpers::{envelope, spawn_app, spawn_with, transcript, People, EVENTS_QUEUE};

#[tokio::test]
async fn a_transcript_is_analysed_once_and_announced_once() {
    let app = spawn_app().await;
    let people = People::new();
    let t = transcript(&people);
    let first = envelope(&t);
    let analysis = app.analysed(&t).await;
    assert_eq!(analysis["summary"], "Summary of Launch review");
    assert_eq!(
        analysis["actionItems"][0]["assigneeId"],
        people.owner.to_string()
    );
    assert_eq!(analysis["actionItems"][0]["dueDate"], "2025-03-07");

    // The same event again (a redelivery), and a second event about the same transcript.
    app.publish(&first).await;
    app.publish(&envelope(&t)).await;
    app.eventually("both deliveries to be handled", || async {
        app.depth("ai.transcript.queue").await == 0
    })
    .await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    assert_eq!(app.count("SELECT COUNT(*) FROM analyses").await, 1);
    assert_eq!(app.count("SELECT COUNT(*) FROM outbox").await, 1);

    let events = app.events(1).await;
    assert_eq!(events[0].kind, "ai.analysis.completed");
    assert_eq!(events[0].source, "quorum/ai");
    assert_eq!(
        events[0].subject.as_deref(),
        Some(t.meeting_id.to_string().as_str())
    );
    let done: AnalysisCompleted = events[0].data_as().unwrap();
    assert_eq!(done.meeting_id, t.meeting_id);
    assert_eq!(done.transcript_id, t.transcript_id);
    assert_eq!(done.participant_ids, [people.owner, people.guest]);
    assert_eq!(done.engine, "builtin");
    assert_eq!(done.action_items[0].due_date.as_deref(), Some("2025-03-07"));
    assert_eq!(done.schedule_suggestions.len(), 1);
    assert_eq!(done.schedule_suggestions[0].duration_minutes, 45);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.depth(EVENTS_QUEUE).await, 0, "published exactly once");
}

#[tokio::test]
async fn the_builtin_engine_analyses_a_real_transcript_end_to_end() {
    let app = spawn_with(
        Settings::default(),
        std::sync::Arc::new(quorum_ai::engine::BuiltinEngine),
    )
    .await;
    let people = People::new();
    let t = transcript(&people);
    let analysis = app.analysed(&t).await;
    assert!(!analysis["summary"].as_str().unwrap().is_empty());
    // "Bob Lee: I will write the release notes by Thursday." (meeting on Monday 2025-03-03)
    let item = &analysis["actionItems"][0];
    assert_eq!(item["assigneeId"], people.guest.to_string(), "{analysis}");
    assert_eq!(item["assigneeName"], "Bob Lee");
    assert_eq!(item["dueDate"], "2025-03-06");
    assert_eq!(
        analysis["decisions"],
        json!(["We agreed to ship the release on Friday."])
    );
    // "Let's meet again next Monday at 10" in +09:00.
    assert_eq!(
        analysis["scheduleSuggestions"][0]["start"],
        "2025-03-10T01:00:00Z"
    );
    let events = app.events(1).await;
    let done: AnalysisCompleted = events[0].data_as().unwrap();
    assert_eq!(done.engine, "builtin");
    assert_eq!(done.summary, analysis["summary"].as_str().unwrap());
}
