use crate::helpers::{meeting_ended, spawn_with};

#[tokio::test]
async fn a_transient_smtp_failure_is_retried_and_delivered_once() {
    let app = spawn_with(Some(&["--fail-first", "1"])).await;
    let owner = app
        .given_user("Owner", "owner@example.com", Some("en"))
        .await;
    app.publish_meeting(&meeting_ended("Standup", &[owner]))
        .await;
    let mails = app.sink().wait_for("owner@example.com", 1).await;
    assert_eq!(
        mails[0].subject.as_deref(),
        Some("[Quorum] Meeting ended: Standup")
    );
    app.eventually("the delivery to be marked sent", || async {
        app.delivery_states(owner).await == ["SENT"]
    })
    .await;
    assert_eq!(app.attempts(owner).await, ["TRANSIENT", "SENT"]);
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.sink().mails_to("owner@example.com").len(), 1);
}

#[tokio::test]
async fn a_permanent_failure_dead_letters_the_job_and_keeps_the_in_app_notification() {
    let app = spawn_with(Some(&["--reject", "gone@example.com"])).await;
    let owner = app.given_user("Owner", "owner@example.com", None).await;
    let gone = app.given_user("Gone", "gone@example.com", None).await;
    app.publish_meeting(&meeting_ended("Review", &[owner, gone]))
        .await;
    app.eventually("the delivery to fail", || async {
        app.delivery_states(gone).await == ["FAILED"]
    })
    .await;
    assert_eq!(app.attempts(gone).await, ["FAILED"]);
    let error: Option<String> =
        sqlx::query_scalar("SELECT last_error FROM deliveries WHERE user_id = $1")
            .bind(gone.to_string())
            .fetch_one(app.db.reader())
            .await
            .unwrap();
    assert!(error.unwrap_or_default().contains("550"));
    app.eventually("the job in the dead-letter queue", || async {
        app.broker
            .queue_depth("notification.queue.dlq")
            .await
            .unwrap()
            == 1
    })
    .await;
    assert_eq!(app.wait_notifications(gone, 1).await.len(), 1);
    // The other participant is unaffected.
    app.sink().wait_for("owner@example.com", 1).await;
    assert!(app.sink().mails_to("gone@example.com").is_empty());
}
