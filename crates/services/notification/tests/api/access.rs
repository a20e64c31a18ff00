use reqwest::{Method, StatusCode};
use uuid::Uuid;

use crate::helpers::{meeting_created, spawn_with};

#[tokio::test]
async fn a_user_reads_marks_and_pages_through_only_their_own_notifications() {
    let app = spawn_with(None).await;
    let owner = Uuid::now_v7();
    let guest = Uuid::now_v7();
    for title in ["First", "Second", "Third"] {
        app.publish_meeting(&meeting_created(title, owner, &[owner, guest]))
            .await;
    }
    app.wait_notifications(guest, 3).await;

    let page1 = app.get("/api/notifications?size=2", guest).await;
    assert_eq!(page1.status, StatusCode::OK);
    assert_eq!(page1.body["total"], 3);
    assert_eq!(page1.body["page"], 1);
    assert_eq!(page1.body["size"], 2);
    let titles: Vec<&str> = page1.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["You're invited: Third", "You're invited: Second"]);
    let page2 = app.get("/api/notifications?size=2&page=2", guest).await;
    assert_eq!(page2.body["items"][0]["title"], "You're invited: First");

    let newest = page1.body["items"][0]["id"].as_str().unwrap().to_string();
    let read = format!("/api/notifications/{newest}/read");
    // Someone else's notification does not exist for them.
    let res = app.call(Method::POST, &read, Some(owner), None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    assert_eq!(res.body["code"], "notification_not_found");
    let res = app.call(Method::POST, &read, Some(guest), None).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT);
    let again = app.call(Method::POST, &read, Some(guest), None).await;
    assert_eq!(again.status, StatusCode::NO_CONTENT);

    let unread = app.get("/api/notifications?unread=true", guest).await;
    assert_eq!(unread.body["total"], 2);
    assert!(unread.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|n| n["id"] != newest.as_str()));
    let all = app.notifications(guest).await;
    assert!(all[0]["readAt"].is_string());

    let unknown = format!("/api/notifications/{}/read", Uuid::now_v7());
    let res = app.call(Method::POST, &unknown, Some(guest), None).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let res = app
        .call(
            Method::POST,
            "/api/notifications/nope/read",
            Some(guest),
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn mark_all_read_touches_only_the_callers_unread_notifications() {
    let app = spawn_with(None).await;
    let owner = Uuid::now_v7();
    let guest = Uuid::now_v7();
    let other = Uuid::now_v7();
    for title in ["First", "Second", "Third"] {
        app.publish_meeting(&meeting_created(title, owner, &[owner, guest, other]))
            .await;
    }
    app.wait_notifications(guest, 3).await;
    app.wait_notifications(other, 3).await;
    let first = app.notifications(guest).await[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let read = format!("/api/notifications/{first}/read");
    app.call(Method::POST, &read, Some(guest), None).await;

    let all = "/api/notifications/read-all";
    let res = app.call(Method::POST, all, Some(guest), None).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(res.body["marked"], 2, "the one already read is not counted");
    let unread = app.get("/api/notifications?unread=true", guest).await;
    assert_eq!(unread.body["total"], 0);
    // The one read first keeps the time it was read.
    let kept = app.notifications(guest).await;
    assert!(kept.iter().all(|n| n["readAt"].is_string()));
    // Nobody else's changed.
    let theirs = app.get("/api/notifications?unread=true", other).await;
    assert_eq!(theirs.body["total"], 3);
    let again = app.call(Method::POST, all, Some(guest), None).await;
    assert_eq!(again.body["marked"], 0);
    let anonymous = app.call(Method::POST, all, None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn requests_without_an_identity_or_with_bad_parameters_are_refused() {
    let app = spawn_with(None).await;
    for path in [
        "/api/notifications",
        "/api/notifications/preferences",
        "/api/notifications/stream",
    ] {
        let res = app.call(Method::GET, path, None, None).await;
        assert_eq!(res.status, StatusCode::UNAUTHORIZED, "{path}");
    }
    let res = app
        .call(
            Method::POST,
            &format!("/api/notifications/{}/read", Uuid::now_v7()),
            None,
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    let user = Uuid::now_v7();
    for query in ["size=0", "size=101", "page=0", "unread=maybe", "page=x"] {
        let res = app.get(&format!("/api/notifications?{query}"), user).await;
        assert_eq!(
            res.status,
            StatusCode::BAD_REQUEST,
            "{query}: {:?}",
            res.body
        );
    }
}
