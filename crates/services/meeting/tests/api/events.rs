use quorum_contracts::events::{MeetingChanged, MeetingEnded};
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn each_state_change_publishes_its_event_in_order() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let guest = app.given_user("Guest", "guest@example.com").await;
    let m = app.meeting(owner, "Launch review", &[guest]).await;
    let id = m["id"].as_str().unwrap();
    app.put(
        &format!("/api/meetings/{id}"),
        owner,
        json!({"title": "Launch review v2"}),
    )
    .await;
    app.post(&format!("/api/meetings/{id}/start"), owner, json!({}))
        .await;
    app.put(
        &format!("/api/meetings/{id}/notes"),
        guest,
        json!({"notes": "Guest: ship it"}),
    )
    .await;
    let end = app
        .post(
            &format!("/api/meetings/{id}/end"),
            owner,
            json!({"notes": "Owner: go\nGuest: ship it"}),
        )
        .await;
    assert_eq!(end.body["status"], "ENDED");
    let other = app.meeting(owner, "Dropped", &[]).await;
    let other_id = other["id"].as_str().unwrap();
    app.post(
        &format!("/api/meetings/{other_id}/cancel"),
        owner,
        json!({}),
    )
    .await;

    let events = app.events(5).await;
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "meeting.created",
            "meeting.started",
            "meeting.ended",
            "meeting.created",
            "meeting.cancelled"
        ]
    );
    for e in &events {
        assert_eq!(e.source, "quorum/meeting");
        assert_eq!(e.schema_version, 1);
    }
    assert_eq!(events[0].subject.as_deref(), Some(id));
    let created: MeetingChanged = events[0].data_as().unwrap();
    assert_eq!(created.meeting_title, "Launch review");
    assert_eq!(created.participant_ids, [owner, guest]);
    assert_eq!(created.owner_id, owner);

    let ended: MeetingEnded = events[2].data_as().unwrap();
    assert_eq!(ended.meeting_id.to_string(), id);
    assert_eq!(ended.meeting_title, "Launch review v2");
    assert_eq!(ended.participant_ids, [owner, guest]);
    assert_eq!(ended.notes.as_deref(), Some("Owner: go\nGuest: ship it"));
    assert!(ended.start_time.is_some_and(|s| s <= ended.end_time));

    let cancelled: MeetingChanged = events[4].data_as().unwrap();
    assert_eq!(cancelled.meeting_id.to_string(), other_id);
}
