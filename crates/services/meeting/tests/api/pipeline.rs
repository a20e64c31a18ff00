//! The minutes pipeline moves the meeting: `ai.analysis.completed` → MINUTES_READY (not
//! `transcript.created`: the analysis comes after it), todo events → progress (a deleted todo
//! is taken back out); redelivered events count once.

use chrono::Utc;
use quorum_bus::{Envelope, Message};
use quorum_contracts::events::{AnalysisCompleted, TodoCreated, TodoDeleted, TodoStatusChanged};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::spawn_app;

async fn publish(app: &crate::helpers::TestApp, exchange: &str, envelope: &Envelope) {
    app.broker
        .publish(
            exchange,
            &envelope.kind,
            Message::new(envelope.id.to_string(), envelope.to_bytes()),
        )
        .await
        .unwrap();
}

fn todo_created(meeting: Uuid) -> Envelope {
    let payload = TodoCreated {
        todo_id: Uuid::now_v7(),
        meeting_id: Some(meeting),
        title: "Send the draft".into(),
        assignee_id: None,
        due_date: None,
        source: "AI".into(),
        created_by: None,
        occurred_at: Utc::now(),
    };
    Envelope::new(
        "todo.created",
        "quorum/todo",
        None,
        SCHEMA_VERSION,
        &payload,
    )
    .unwrap()
}

fn analysis_completed(meeting: Uuid, owner: Uuid) -> Envelope {
    let payload = AnalysisCompleted {
        analysis_id: Uuid::now_v7(),
        meeting_id: meeting,
        transcript_id: Uuid::now_v7(),
        meeting_title: "Weekly sync".into(),
        participant_ids: vec![owner],
        language: "en".into(),
        summary: String::new(),
        action_items: vec![],
        decisions: vec![],
        decision_sections: vec![],
        schedule_suggestions: vec![],
        engine: "builtin".into(),
        occurred_at: Utc::now(),
    };
    Envelope::new(
        "ai.analysis.completed",
        "quorum/ai",
        Some(meeting.to_string()),
        SCHEMA_VERSION,
        &payload,
    )
    .unwrap()
}

fn todo_deleted(meeting: Uuid, status: &str, by: Uuid) -> Envelope {
    let payload = TodoDeleted {
        todo_id: Uuid::now_v7(),
        meeting_id: Some(meeting),
        title: "Send the draft".into(),
        assignee_id: None,
        created_by: Some(by),
        status: status.into(),
        deleted_by: by,
        occurred_at: Utc::now(),
    };
    Envelope::new(
        "todo.deleted",
        "quorum/todo",
        None,
        SCHEMA_VERSION,
        &payload,
    )
    .unwrap()
}

#[tokio::test]
async fn the_analysis_and_todo_events_move_status_and_progress_once() {
    let app = spawn_app().await;
    let owner = app.given_user("Kim Minji", "minji@example.com").await;
    let meeting = app.meeting(owner, "Weekly sync", &[]).await;
    let id: Uuid = meeting["id"].as_str().unwrap().parse().unwrap();
    let path = format!("/api/meetings/{id}");
    app.post(&format!("{path}/start"), owner, json!({})).await;
    app.post(&format!("{path}/end"), owner, json!({})).await;

    let first = todo_created(id);
    publish(&app, exchanges::TODO, &first).await;
    publish(&app, exchanges::TODO, &first).await; // redelivered
    publish(&app, exchanges::TODO, &todo_created(id)).await;
    app.eventually("the todos to be counted", || async {
        app.get(&path, owner).await.body["progress"]["total"] == 2
    })
    .await;
    // Todos alone do not make the minutes ready: the analysis does.
    assert_eq!(app.get(&path, owner).await.body["status"], "ENDED");

    publish(&app, exchanges::AI, &analysis_completed(id, owner)).await;
    let done = TodoStatusChanged {
        todo_id: Uuid::now_v7(),
        meeting_id: Some(id),
        title: "Send the draft".into(),
        assignee_id: None,
        from: "OPEN".into(),
        to: "DONE".into(),
        changed_by: None,
        occurred_at: Utc::now(),
    };
    let completed =
        Envelope::new("todo.completed", "quorum/todo", None, SCHEMA_VERSION, &done).unwrap();
    publish(&app, exchanges::TODO, &completed).await;

    app.eventually("status and progress to move", || async {
        let m = app.get(&path, owner).await.body;
        m["status"] == "MINUTES_READY"
            && m["progress"]["total"] == 2
            && m["progress"]["completed"] == 1
    })
    .await;
    // A second analysis of the same meeting (a re-analysis) changes nothing.
    publish(&app, exchanges::AI, &analysis_completed(id, owner)).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let m = app.get(&path, owner).await.body;
    assert_eq!(m["status"], "MINUTES_READY");
    assert_eq!(m["progress"]["total"], 2);
}

#[tokio::test]
async fn deleted_todos_leave_the_progress_once() {
    let app = spawn_app().await;
    let owner = app.given_user("Kim Minji", "minji@example.com").await;
    let meeting = app.meeting(owner, "Weekly sync", &[]).await;
    let id: Uuid = meeting["id"].as_str().unwrap().parse().unwrap();
    let path = format!("/api/meetings/{id}");
    for _ in 0..3 {
        publish(&app, exchanges::TODO, &todo_created(id)).await;
    }
    let done = TodoStatusChanged {
        todo_id: Uuid::now_v7(),
        meeting_id: Some(id),
        title: "Send the draft".into(),
        assignee_id: None,
        from: "OPEN".into(),
        to: "DONE".into(),
        changed_by: Some(owner),
        occurred_at: Utc::now(),
    };
    let completed =
        Envelope::new("todo.completed", "quorum/todo", None, SCHEMA_VERSION, &done).unwrap();
    publish(&app, exchanges::TODO, &completed).await;
    app.eventually("progress 1/3", || async {
        let m = app.get(&path, owner).await.body;
        m["progress"]["total"] == 3 && m["progress"]["completed"] == 1
    })
    .await;

    // An open todo leaves the total; a DONE one the total and the completed count.
    publish(&app, exchanges::TODO, &todo_deleted(id, "OPEN", owner)).await;
    let gone_done = todo_deleted(id, "DONE", owner);
    publish(&app, exchanges::TODO, &gone_done).await;
    publish(&app, exchanges::TODO, &gone_done).await; // redelivered
    app.eventually("progress 0/1", || async {
        let m = app.get(&path, owner).await.body;
        m["progress"]["total"] == 1 && m["progress"]["completed"] == 0
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let m = app.get(&path, owner).await.body;
    assert_eq!(m["progress"]["total"], 1, "{m}");
    assert_eq!(m["progress"]["completed"], 0, "{m}");
    // The meeting is still SCHEDULED: todo events never move the status.
    assert_eq!(m["status"], "SCHEDULED");
}
