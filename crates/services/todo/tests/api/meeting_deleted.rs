//! `meeting.deleted`: the meeting's todos go for everyone (lists and stats too, though they
//! were cached), without an event per todo, and events about the meeting that arrive later
//! make no todos.

use chrono::Utc;
use quorum_bus::Envelope;
use quorum_contracts::events::{MeetingDeleted, MEETING_DELETED};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{analysis, ended, item, spawn_app, TestApp, EVENTS_QUEUE};

fn deleted(meeting: Uuid, owner: Uuid, participants: &[Uuid]) -> Envelope {
    let payload = MeetingDeleted {
        meeting_id: meeting,
        owner_id: owner,
        participant_ids: participants.to_vec(),
        occurred_at: Utc::now(),
    };
    Envelope::new(
        MEETING_DELETED,
        "quorum/meeting",
        Some(meeting.to_string()),
        SCHEMA_VERSION,
        &payload,
    )
    .unwrap()
}

async fn rows(app: &TestApp, table: &str, meeting: Uuid) -> i64 {
    sqlx::query_scalar(&format!(
        "SELECT COUNT(*) FROM {table} WHERE meeting_id = $1"
    ))
    .bind(meeting.to_string())
    .fetch_one(app.test_db.db.reader())
    .await
    .unwrap()
}

async fn total(app: &TestApp, user: Uuid, path: &str) -> i64 {
    let res = app.get(path, user).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    res.body["total"].as_i64().unwrap()
}

#[tokio::test]
async fn a_deleted_meetings_todos_go_for_everyone_and_late_events_make_none() {
    let app = spawn_app().await;
    let alice = app.given_user("Alice Kim").await;
    let bob = app.given_user("Bob Stone").await;
    let meeting = Uuid::now_v7();
    let people = [(alice, "Alice Kim"), (bob, "Bob Stone")];
    let notes = "- [ ] @Bob send the deck by Friday";
    app.deliver(exchanges::MEETING, &ended(meeting, alice, &people, notes))
        .await;
    let items = vec![item("Write the report", Some(alice), None, None)];
    app.deliver(exchanges::AI, &analysis(meeting, &[alice, bob], items))
        .await;
    let own = app.todo(bob, json!({"title": "Water the plants"})).await;
    let todos = app.meeting_todos(alice, meeting).await;
    assert_eq!(todos.len(), 2, "{todos:?}");
    // Lists and stats are cached now.
    assert_eq!(total(&app, alice, "/api/todos").await, 2);
    assert_eq!(total(&app, bob, "/api/todos").await, 2);
    assert_eq!(total(&app, bob, "/api/todos/stats").await, 2);
    assert_eq!(app.events(3).await.len(), 3, "three todo.created");

    app.deliver(exchanges::MEETING, &deleted(meeting, alice, &[alice, bob]))
        .await;
    for t in &todos {
        let id = t["id"].as_str().unwrap();
        let res = app.get(&format!("/api/todos/{id}"), bob).await;
        assert_eq!(res.status, StatusCode::NOT_FOUND, "{:?}", res.body);
    }
    assert_eq!(total(&app, alice, "/api/todos").await, 0);
    assert_eq!(
        total(&app, bob, "/api/todos").await,
        1,
        "bob's own todo stays"
    );
    assert_eq!(total(&app, bob, "/api/todos/stats").await, 1);
    assert_eq!(total(&app, alice, "/api/todos/stats").await, 0);
    let res = app
        .get(&format!("/api/todos/{}", own["id"].as_str().unwrap()), bob)
        .await;
    assert_eq!(res.status, StatusCode::OK);
    for table in ["todos", "meetings", "meeting_participants"] {
        assert_eq!(rows(&app, table, meeting).await, 0, "{table}");
    }
    let history: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM todo_status_history")
        .fetch_one(app.test_db.db.reader())
        .await
        .unwrap();
    assert_eq!(history, 1, "only the history of bob's own todo is left");

    // Late: the analysis again (a redelivery under a new id), and a meeting deleted before
    // its end arrives.
    let items = vec![item("Write the report", Some(alice), None, None)];
    app.deliver(exchanges::AI, &analysis(meeting, &[alice, bob], items))
        .await;
    let other = Uuid::now_v7();
    app.deliver(exchanges::MEETING, &deleted(other, alice, &[alice, bob]))
        .await;
    app.deliver(exchanges::MEETING, &ended(other, alice, &people, notes))
        .await;
    for m in [meeting, other] {
        for table in ["todos", "meetings", "meeting_participants"] {
            assert_eq!(rows(&app, table, m).await, 0, "{table}");
        }
    }
    let depth = app.broker.queue_depth(EVENTS_QUEUE).await.unwrap();
    assert_eq!(depth, 0, "no todo.created, and no event per deleted todo");

    // Nor by hand: a to-do for the deleted meeting is refused, saying why.
    let res = app
        .post(
            "/api/todos",
            alice,
            json!({"title": "One more thing", "meetingId": meeting}),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        res.body
    );
    assert!(
        res.body["detail"]
            .as_str()
            .unwrap_or_default()
            .contains("deleted meeting"),
        "{:?}",
        res.body
    );
}
