//! The minutes pipeline moves the meeting: `transcript.created` → MINUTES_READY, todo events
//! → progress; redelivered events count once.

use chrono::Utc;
use quorum_bus::{Envelope, Message};
use quorum_contracts::events::{TodoCreated, TodoStatusChanged, TranscriptCreated};
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

#[tokio::test]
async fn transcript_and_todo_events_move_status_and_progress_once() {
    let app = spawn_app().await;
    let owner = app.given_user("Kim Minji", "minji@example.com").await;
    let meeting = app.meeting(owner, "Weekly sync", &[]).await;
    let id: Uuid = meeting["id"].as_str().unwrap().parse().unwrap();
    let path = format!("/api/meetings/{id}");
    app.post(&format!("{path}/start"), owner, json!({})).await;
    app.post(&format!("{path}/end"), owner, json!({})).await;

    let transcript = TranscriptCreated {
        transcript_id: Uuid::now_v7(),
        meeting_id: id,
        meeting_title: "Weekly sync".into(),
        owner_id: owner,
        participant_ids: vec![owner],
        participants: vec![],
        language: "en".into(),
        source: "NOTES".into(),
        meeting_date: Utc::now(),
        sections: vec![],
        occurred_at: Utc::now(),
    };
    let created = Envelope::new(
        "transcript.created",
        "quorum/transcript",
        None,
        SCHEMA_VERSION,
        &transcript,
    )
    .unwrap();
    publish(&app, exchanges::TRANSCRIPT, &created).await;
    let first = todo_created(id);
    publish(&app, exchanges::TODO, &first).await;
    publish(&app, exchanges::TODO, &first).await; // redelivered
    publish(&app, exchanges::TODO, &todo_created(id)).await;
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
    // A second transcript.created for the same meeting changes nothing.
    let again = Envelope::new(
        "transcript.created",
        "quorum/transcript",
        None,
        SCHEMA_VERSION,
        &transcript,
    )
    .unwrap();
    publish(&app, exchanges::TRANSCRIPT, &again).await;
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    let m = app.get(&path, owner).await.body;
    assert_eq!(m["status"], "MINUTES_READY");
    assert_eq!(m["progress"]["total"], 2);
}
