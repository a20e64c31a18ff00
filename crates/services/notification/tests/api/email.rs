use quorum_bus::Message;
use serde_json::json;

use crate::helpers::{meeting_created, meeting_ended, spawn_app, spawn_with};

#[tokio::test]
async fn meeting_ended_notifies_every_participant_in_app_and_once_by_email_in_their_language() {
    let app = spawn_app().await;
    let owner = app.given_user("김민수", "minsu@example.com", None).await;
    let guest = app.given_user("Alice", "alice@example.com", None).await;
    let english = app.given_user("Bob", "bob@example.com", Some("en")).await;

    let korean = meeting_ended("주간 회의", &[owner, guest, english]);
    app.publish_meeting(&korean).await;

    for user in [owner, guest, english] {
        let items = app.wait_notifications(user, 1).await;
        assert_eq!(items.len(), 1);
        assert_eq!(items[0]["kind"], "meeting.ended");
        let meeting = korean.data["meetingId"].as_str().unwrap();
        assert_eq!(items[0]["link"], format!("/meetings/{meeting}"));
        assert_eq!(items[0]["data"]["meetingId"], meeting);
        assert!(items[0].get("readAt").is_none());
    }
    let ko = app.sink().wait_for("minsu@example.com", 1).await;
    assert_eq!(
        ko[0].subject.as_deref(),
        Some("[Quorum] 회의가 종료되었습니다: 주간 회의")
    );
    let text = ko[0].text.as_deref().unwrap();
    assert!(text.contains("김민수님, 안녕하세요."), "{text}");
    assert!(text.contains("https://quorum.test/meetings/"), "{text}");
    assert!(ko[0]
        .html
        .as_deref()
        .unwrap()
        .contains("<a href=\"https://quorum.test/meetings/"));
    // No locale of their own: the Korean meeting decides.
    let alice = app.sink().wait_for("alice@example.com", 1).await;
    assert!(alice[0]
        .subject
        .as_deref()
        .unwrap()
        .contains("회의가 종료되었습니다"));
    // A stated locale wins over the meeting's language.
    let bob = app.sink().wait_for("bob@example.com", 1).await;
    assert_eq!(
        bob[0].subject.as_deref(),
        Some("[Quorum] Meeting ended: 주간 회의")
    );

    let english_meeting = meeting_ended("Weekly sync", &[owner, guest]);
    app.publish_meeting(&english_meeting).await;
    let alice = app.sink().wait_for("alice@example.com", 2).await;
    assert_eq!(
        alice[1].subject.as_deref(),
        Some("[Quorum] Meeting ended: Weekly sync")
    );
    assert!(alice[1].text.as_deref().unwrap().starts_with("Hi Alice,"));

    // Exactly one e-mail per participant per event.
    app.eventually("every delivery to be sent", || async {
        app.delivery_states(guest).await == ["SENT", "SENT"]
    })
    .await;
    // SENT means the server accepted the message; the sink may store it a moment later.
    app.sink().wait_for("minsu@example.com", 2).await;
    assert_eq!(app.sink().mails_to("minsu@example.com").len(), 2);
    assert_eq!(app.sink().mails_to("alice@example.com").len(), 2);
    assert_eq!(app.sink().mails_to("bob@example.com").len(), 1);
    assert_eq!(app.attempts(guest).await, ["SENT", "SENT"]);
}

#[tokio::test]
async fn a_redelivered_event_or_job_never_notifies_or_sends_twice() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com", None).await;
    let guest = app.given_user("Guest", "guest@example.com", None).await;
    let event = meeting_created("Planning", owner, &[owner, guest]);
    app.publish_meeting(&event).await;
    app.publish_meeting(&event).await; // the same envelope id again
                                       // A later event; with one consumer it is handled after the duplicate.
    let sentinel = meeting_created("Sentinel", owner, &[owner, guest]);
    app.publish_meeting(&sentinel).await;
    app.wait_notifications(guest, 2).await;
    app.sink().wait_for("guest@example.com", 2).await;

    let items = app.notifications(guest).await;
    let titles: Vec<&str> = items.iter().map(|n| n["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        ["You're invited: Sentinel", "You're invited: Planning"]
    );
    // meeting.created does not notify the owner.
    assert!(app.notifications(owner).await.is_empty());
    assert!(app.sink().mails_to("owner@example.com").is_empty());

    // The job of a delivery already SENT, delivered again: acknowledged, not sent.
    app.eventually("both deliveries sent", || async {
        app.delivery_states(guest).await == ["SENT", "SENT"]
    })
    .await;
    let delivery: String =
        sqlx::query_scalar("SELECT id FROM deliveries WHERE user_id = $1 LIMIT 1")
            .bind(guest.to_string())
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    let job = quorum_bus::Envelope::new(
        "notification.email",
        "test",
        None,
        1,
        &json!({ "deliveryId": delivery }),
    )
    .unwrap();
    app.broker
        .send(
            "notification.queue",
            Message::new(job.id.to_string(), job.to_bytes()),
        )
        .await
        .unwrap();
    app.eventually("the repeated job to be consumed", || async {
        app.broker.queue_depth("notification.queue").await.unwrap() == 0
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(app.sink().mails_to("guest@example.com").len(), 2);
    assert_eq!(app.attempts(guest).await, ["SENT", "SENT"]);
}

#[tokio::test]
async fn without_smtp_notifications_are_in_app_only_and_readiness_says_so() {
    use quorum_telemetry::HealthIndicator as _;
    let app = spawn_with(None).await;
    let health = app.health.check().await;
    assert_eq!(health.details["enabled"], false);
    assert!(!app.health.gates_readiness());
    let owner = app.given_user("Owner", "owner@example.com", None).await;
    app.publish_meeting(&meeting_ended("Retro", &[owner])).await;
    app.wait_notifications(owner, 1).await;
    assert!(app.delivery_states(owner).await.is_empty());
}

#[tokio::test]
async fn user_events_out_of_order_mail_the_latest_address_and_never_a_deleted_user() {
    let app = spawn_app().await;
    let owner = app
        .given_user("Owner", "owner@example.com", Some("en"))
        .await;
    let history = quorum_test_support::users::OutOfOrder::new();
    history
        .deliver(&*app.broker, &app.db, "notification.user")
        .await;

    let ended = meeting_ended("Weekly sync", &[owner, history.renamed, history.deleted]);
    app.publish_meeting(&ended).await;
    let latest = app.sink().wait_for("latest@example.com", 1).await;
    assert!(latest[0]
        .text
        .as_deref()
        .unwrap()
        .starts_with("Hi Latest Name,"));
    app.sink().wait_for("owner@example.com", 1).await;
    app.eventually("the deliveries to be sent", || async {
        app.delivery_states(history.renamed).await == ["SENT"]
    })
    .await;
    // The deleted user is never e-mailed, at either address they once had.
    assert!(app.delivery_states(history.deleted).await.is_empty());
    assert!(app.sink().mails_to("gone@example.com").is_empty());
    assert!(app.sink().mails_to("gone2@example.com").is_empty());
    assert_eq!(app.sink().mails_to("first@example.com").len(), 0);
}
