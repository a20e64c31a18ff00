//! The code of an e-mail change goes to the new address.

use chrono::Utc;
use quorum_bus::Envelope;
use quorum_contracts::events::{EmailChangeRequested, AUTH_EMAIL_CHANGE_REQUESTED};
use quorum_contracts::exchanges;
use uuid::Uuid;

use crate::helpers::spawn_app;

fn requested(user: Uuid, email: &str, locale: Option<&str>, code: &str) -> Envelope {
    let data = EmailChangeRequested {
        user_id: user,
        email: email.into(),
        name: "Ann Lee".into(),
        locale: locale.map(str::to_owned),
        code: code.into(),
        expires_at: Utc::now() + chrono::Duration::hours(24),
        occurred_at: Utc::now(),
    };
    Envelope::new(
        AUTH_EMAIL_CHANGE_REQUESTED,
        "quorum/identity",
        Some(user.to_string()),
        1,
        &data,
    )
    .unwrap()
}

#[tokio::test]
async fn the_code_is_mailed_to_the_new_address_not_the_old_one() {
    let app = spawn_app().await;
    let user = app
        .given_user("Ann Lee", "ann@example.com", Some("en"))
        .await;
    let event = requested(user, "ann.new@example.com", Some("en"), "04812937");
    app.publish(exchanges::USER, &event).await;
    // Redelivered: still one message.
    app.publish(exchanges::USER, &event).await;

    let mails = app.sink().wait_for("ann.new@example.com", 1).await;
    assert_eq!(
        mails[0].subject.as_deref(),
        Some("[Quorum] Your e-mail confirmation code")
    );
    let text = mails[0].text.as_deref().unwrap();
    assert!(text.contains("Code: 04812937"), "{text}");
    assert!(text.starts_with("Hi Ann Lee,"), "{text}");
    // Korean for a Korean profile.
    let ko = requested(user, "ann.ko@example.com", Some("ko"), "11223344");
    app.publish(exchanges::USER, &ko).await;
    let mails = app.sink().wait_for("ann.ko@example.com", 1).await;
    assert!(mails[0].text.as_deref().unwrap().contains("코드: 11223344"));

    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.sink().mails_to("ann.new@example.com").len(), 1);
    assert!(
        app.notifications(user).await.is_empty(),
        "not an in-app notification"
    );
}
