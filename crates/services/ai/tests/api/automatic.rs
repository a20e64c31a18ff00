//! The automatic analysis of `transcript.created`: stored once, published once, even when
//! the event is redelivered or the transcript is announced again; and stored (empty) and
//! published when the engine cannot make one, since the meeting's minutes wait for it.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use quorum_ai::engine::{Analysis, AnalysisEngine, AnalysisInput, EngineError};
use quorum_ai::Settings;
use quorum_contracts::events::AnalysisCompleted;
use serde_json::json;

use crate::helpers::{
    envelope, spawn_app, spawn_with, transcript, FailingEngine, People, EVENTS_QUEUE,
};

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
    // Said in the transcript's second section; the decision in its first.
    assert_eq!(item["sectionIndex"], 1, "{analysis}");
    assert_eq!(
        analysis["decisions"],
        json!(["We agreed to ship the release on Friday."])
    );
    assert_eq!(analysis["decisionSections"], json!([0]));
    // "Let's meet again next Monday at 10" in +09:00.
    assert_eq!(
        analysis["scheduleSuggestions"][0]["start"],
        "2025-03-10T01:00:00Z"
    );
    let events = app.events(1).await;
    let done: AnalysisCompleted = events[0].data_as().unwrap();
    assert_eq!(done.engine, "builtin");
    assert_eq!(done.summary, analysis["summary"].as_str().unwrap());
    assert_eq!(done.action_items[0].section_index, Some(1));
    assert_eq!(done.decision_sections, [Some(0)]);
}

#[tokio::test]
async fn an_analysis_stored_before_section_links_still_reads() {
    let app = spawn_app().await;
    let people = People::new();
    let t = transcript(&people);
    let analysis = app.analysed(&t).await;
    assert_eq!(analysis["actionItems"][0]["sectionIndex"], 1);
    assert_eq!(analysis["decisionSections"], json!([0]));

    // The stored document as written before `sectionIndex` and `decisionSections`.
    let old = json!({
        "summary": "Summary of Launch review",
        "actionItems": [{"title": "Write the report", "dueDate": "2025-03-07"}],
        "decisions": ["Ship on Friday", "Keep the vendor"],
        "scheduleSuggestions": []
    });
    sqlx::query("UPDATE analyses SET result = $1 WHERE meeting_id = $2")
        .bind(old.to_string())
        .bind(t.meeting_id.to_string())
        .execute(app.db.writer())
        .await
        .unwrap();
    let path = format!("/api/ai/meetings/{}/analysis", t.meeting_id);
    let res = app.get(&path, t.owner_id).await;
    assert_eq!(res.status, reqwest::StatusCode::OK, "{res:?}");
    assert_eq!(res.body["actionItems"][0]["title"], "Write the report");
    assert!(res.body["actionItems"][0].get("sectionIndex").is_none());
    assert_eq!(res.body["decisionSections"], json!([null, null]));
}

/// Checks that the automatic analysis of a fresh transcript is the empty one, stored once and
/// announced once.
async fn an_empty_analysis_is_stored_and_announced(app: &crate::helpers::TestApp) {
    let people = People::new();
    let t = transcript(&people);
    let analysis = app.analysed(&t).await;
    assert_eq!(analysis["summary"], "", "{analysis}");
    assert_eq!(analysis["actionItems"], json!([]));
    assert_eq!(analysis["decisions"], json!([]));
    assert_eq!(analysis["scheduleSuggestions"], json!([]));
    let events = app.events(1).await;
    assert_eq!(events[0].kind, "ai.analysis.completed");
    let done: AnalysisCompleted = events[0].data_as().unwrap();
    assert_eq!(done.meeting_id, t.meeting_id);
    assert_eq!(done.transcript_id, t.transcript_id);
    assert_eq!(done.engine, "none");
    assert!(done.summary.is_empty() && done.action_items.is_empty());
    assert_eq!(app.count("SELECT COUNT(*) FROM analyses").await, 1);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(app.depth(EVENTS_QUEUE).await, 0, "published exactly once");
    assert_eq!(
        app.depth("ai.transcript.queue.dlq").await,
        0,
        "nothing dead-lettered"
    );
}

#[tokio::test]
async fn a_transcript_the_engine_cannot_analyse_gets_an_empty_analysis() {
    // The engine answers InvalidInput ("nothing was said"): no retry, an empty analysis.
    let app = spawn_with(Settings::default(), Arc::new(FailingEngine)).await;
    an_empty_analysis_is_stored_and_announced(&app).await;
}

/// An engine that is never reachable; counts the calls.
struct DownEngine(AtomicU32);

#[async_trait]
impl AnalysisEngine for DownEngine {
    fn name(&self) -> &str {
        "down"
    }
    async fn analyze(&self, _: &AnalysisInput) -> Result<Analysis, EngineError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Err(EngineError::Unavailable("connection refused".into()))
    }
}

#[tokio::test]
async fn an_engine_that_stays_unavailable_is_retried_then_an_empty_analysis_is_stored() {
    let engine = Arc::new(DownEngine(AtomicU32::new(0)));
    let app = spawn_with(Settings::default(), engine.clone()).await;
    an_empty_analysis_is_stored_and_announced(&app).await;
    // Tried on three deliveries of the event, then given up on (the queue allows five).
    assert_eq!(engine.0.load(Ordering::SeqCst), 3);
}
