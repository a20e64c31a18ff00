//! `meeting.deleted`: every notification and e-mail about the meeting (and its to-dos) goes,
//! others stay, and events about the meeting that arrive later notify nobody.

use chrono::Utc;
use quorum_bus::Envelope;
use quorum_contracts::events::{MeetingDeleted, MeetingEnded, TodoCreated, TranscriptCreated};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use uuid::Uuid;

use crate::helpers::{meeting_created, meeting_ended, spawn_app, TestApp};

fn envelope<T: serde::Serialize>(kind: &str, payload: &T) -> Envelope {
    Envelope::new(kind, "test", None, SCHEMA_VERSION, payload).unwrap()
}

async fn count(app: &TestApp, sql: &str, meeting: Uuid) -> i64 {
    sqlx::query_scalar(sql)
        .bind(meeting.to_string())
        .fetch_one(app.db.reader())
        .await
        .unwrap()
}

async fn handled(app: &TestApp, event: Uuid) -> bool {
    let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM inbox WHERE event_id = $1")
        .bind(event.to_string())
        .fetch_one(app.db.reader())
        .await
        .unwrap();
    n == 1
}

#[tokio::test]
async fn a_deleted_meetings_notifications_and_emails_go_and_later_events_notify_nobody() {
    let app = spawn_app().await;
    let alice = app.given_user("Alice Kim", "alice@example.com", None).await;
    let bob = app.given_user("Bob Lee", "bob@example.com", None).await;
    let ended = meeting_ended("Launch", &[alice, bob]);
    let m: MeetingEnded = ended.data_as().unwrap();
    let meeting = m.meeting_id;
    app.publish_meeting(&ended).await;
    let todo = TodoCreated {
        todo_id: Uuid::now_v7(),
        meeting_id: Some(meeting),
        title: "Send the deck".into(),
        assignee_id: Some(bob),
        due_date: None,
        source: "NOTES".into(),
        created_by: Some(alice),
        occurred_at: Utc::now(),
    };
    app.publish(exchanges::TODO, &envelope("todo.created", &todo))
        .await;
    let other = meeting_created("Budget", alice, &[alice, bob]);
    app.publish_meeting(&other).await;
    assert_eq!(app.wait_notifications(bob, 3).await.len(), 3);
    assert_eq!(app.wait_notifications(alice, 1).await.len(), 1);
    let emails = "SELECT COUNT(*) FROM deliveries WHERE meeting_id = $1";
    assert_eq!(count(&app, emails, meeting).await, 3, "e-mails about it");

    let payload = MeetingDeleted {
        meeting_id: meeting,
        owner_id: alice,
        participant_ids: vec![alice, bob],
        occurred_at: Utc::now(),
    };
    let deleted = envelope("meeting.deleted", &payload);
    app.publish_meeting(&deleted).await;
    app.eventually("the deletion to be handled", || handled(&app, deleted.id))
        .await;

    assert!(app.notifications(alice).await.is_empty());
    let left = app.notifications(bob).await;
    assert_eq!(left.len(), 1, "{left:?}");
    assert_eq!(left[0]["kind"], "meeting.created");
    assert_ne!(left[0]["link"], format!("/meetings/{meeting}"));
    assert_eq!(count(&app, emails, meeting).await, 0);
    for table in ["notifications", "meeting_refs", "todo_refs"] {
        let sql = format!("SELECT COUNT(*) FROM {table} WHERE meeting_id = $1");
        assert_eq!(count(&app, &sql, meeting).await, 0, "{table}");
    }

    // Later: the meeting's transcript is announced. Nobody hears of it.
    let transcript = TranscriptCreated {
        transcript_id: Uuid::now_v7(),
        meeting_id: meeting,
        meeting_title: "Launch".into(),
        owner_id: alice,
        participant_ids: vec![alice, bob],
        participants: vec![],
        language: "en".into(),
        source: "NOTES".into(),
        meeting_date: Utc::now(),
        sections: vec![],
        occurred_at: Utc::now(),
    };
    let late = envelope("transcript.created", &transcript);
    app.publish(exchanges::TRANSCRIPT, &late).await;
    app.eventually("the late event to be handled", || handled(&app, late.id))
        .await;
    assert!(app.notifications(alice).await.is_empty());
    assert_eq!(app.notifications(bob).await.len(), 1);

    // E-mails whose jobs were still queued are dropped, not dead-lettered.
    app.eventually("the e-mail queue to drain", || async {
        app.broker.queue_depth("notification.queue").await.unwrap() == 0
    })
    .await;
    let dlq = app
        .broker
        .queue_depth("notification.queue.dlq")
        .await
        .unwrap();
    assert_eq!(dlq, 0);
}
