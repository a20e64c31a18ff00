//! Who hears about transcripts, analyses and to-dos.

use chrono::Utc;
use quorum_bus::Envelope;
use quorum_contracts::events::{
    AnalysisCompleted, TodoCreated, TodoStatusChanged, TranscriptShared,
};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use uuid::Uuid;

use crate::helpers::{meeting_created, spawn_with};

fn envelope<T: serde::Serialize>(kind: &str, payload: &T) -> Envelope {
    Envelope::new(kind, "test", None, SCHEMA_VERSION, payload).unwrap()
}

#[tokio::test]
async fn shared_transcripts_and_summaries_reach_the_right_people() {
    let app = spawn_with(None).await;
    let (owner, guest, reader) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let shared = TranscriptShared {
        transcript_id: Uuid::now_v7(),
        meeting_id: Uuid::now_v7(),
        meeting_title: "Launch".into(),
        shared_by: owner,
        user_ids: vec![owner, reader],
        occurred_at: Utc::now(),
    };
    app.publish(
        exchanges::TRANSCRIPT,
        &envelope("transcript.shared", &shared),
    )
    .await;
    let got = app.wait_notifications(reader, 1).await;
    assert_eq!(got[0]["kind"], "transcript.shared");
    // The minutes are read on their meeting's page in the web app, by readers too.
    assert_eq!(got[0]["link"], format!("/meetings/{}", shared.meeting_id));

    let analysis = AnalysisCompleted {
        analysis_id: Uuid::now_v7(),
        meeting_id: shared.meeting_id,
        transcript_id: shared.transcript_id,
        meeting_title: "Launch".into(),
        participant_ids: vec![owner, guest],
        language: "en".into(),
        summary: "We agreed to ship on Friday.".into(),
        action_items: vec![],
        decisions: vec!["Ship Friday".into()],
        decision_sections: vec![Some(0)],
        schedule_suggestions: vec![],
        engine: "builtin".into(),
        occurred_at: Utc::now(),
    };
    app.publish(exchanges::AI, &envelope("ai.analysis.completed", &analysis))
        .await;
    for user in [owner, guest] {
        let got = app.wait_notifications(user, 1).await;
        assert_eq!(got[0]["title"], "Summary ready: Launch");
        assert!(got[0]["body"].as_str().unwrap().contains("ship on Friday"));
    }
    // The sharer is not told about their own share.
    assert_eq!(app.notifications(owner).await.len(), 1);
}

#[tokio::test]
async fn todos_notify_the_assignee_and_on_completion_the_creator() {
    let app = spawn_with(None).await;
    let (owner, assignee) = (Uuid::now_v7(), Uuid::now_v7());
    let meeting = meeting_created("주간 회의", owner, &[owner, assignee]);
    app.publish_meeting(&meeting).await;
    app.wait_notifications(assignee, 1).await;
    let meeting_id: Uuid = meeting.data["meetingId"].as_str().unwrap().parse().unwrap();

    let created = TodoCreated {
        todo_id: Uuid::now_v7(),
        meeting_id: Some(meeting_id),
        title: "보고서 작성".into(),
        assignee_id: Some(assignee),
        due_date: Some("2025-03-07".into()),
        source: "AI".into(),
        created_by: None,
        occurred_at: Utc::now(),
    };
    app.publish(exchanges::TODO, &envelope("todo.created", &created))
        .await;
    let got = app.wait_notifications(assignee, 2).await;
    assert_eq!(got[0]["kind"], "todo.created");
    assert_eq!(got[0]["title"], "새 할 일이 배정되었습니다: 보고서 작성");
    let body = got[0]["body"].as_str().unwrap();
    assert!(
        body.contains("2025-03-07") && body.contains("주간 회의"),
        "{body}"
    );

    let done = TodoStatusChanged {
        todo_id: created.todo_id,
        meeting_id: Some(meeting_id),
        title: created.title.clone(),
        assignee_id: Some(assignee),
        from: "IN_PROGRESS".into(),
        to: "DONE".into(),
        changed_by: Some(assignee),
        occurred_at: Utc::now(),
    };
    // status_changed notifies nobody; completed tells the meeting's owner (no creator known).
    app.publish(exchanges::TODO, &envelope("todo.status_changed", &done))
        .await;
    app.publish(exchanges::TODO, &envelope("todo.completed", &done))
        .await;
    let got = app.wait_notifications(owner, 1).await;
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["kind"], "todo.completed");
    assert_eq!(app.notifications(assignee).await.len(), 2);
}
