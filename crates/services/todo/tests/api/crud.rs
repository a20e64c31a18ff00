use quorum_contracts::exchanges;
use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{ended, spawn_app};

#[tokio::test]
async fn a_todo_created_by_hand_can_be_read_back() {
    let app = spawn_app().await;
    let me = app.given_user("Me").await;
    let bob = app.given_user("Bob").await;
    let meeting = app.scheduled(me, &[bob]).await;
    let res = app
        .post(
            "/api/todos",
            me,
            json!({"title": "  Write the plan ", "assigneeId": bob, "dueDate": "2025-03-01", "meetingId": meeting}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    let t = &res.body;
    assert_eq!(t["title"], "Write the plan");
    assert_eq!(t["status"], "OPEN");
    assert_eq!(t["source"], "MANUAL");
    assert_eq!(t["assigneeId"], bob.to_string());
    assert_eq!(t["assigneeName"], "Bob");
    assert_eq!(t["dueDate"], "2025-03-01");
    assert_eq!(t["createdBy"], me.to_string());
    assert_eq!(t["meetingId"], meeting.to_string());
    let path = format!("/api/todos/{}", t["id"].as_str().unwrap());
    for user in [me, bob] {
        let got = app.get(&path, user).await;
        assert_eq!(got.status, StatusCode::OK);
        assert_eq!(got.body["id"], t["id"]);
    }
    // Assigning to oneself works even before the directory has heard of the caller.
    let newcomer = Uuid::now_v7();
    let mine = app
        .todo(
            newcomer,
            json!({"title": "Onboard", "assigneeId": newcomer}),
        )
        .await;
    assert_eq!(mine["assigneeId"], newcomer.to_string());
}

#[tokio::test]
async fn bad_input_is_a_4xx_naming_the_field() {
    let app = spawn_app().await;
    let me = app.given_user("Me").await;
    let cases = [
        (
            json!({"title": ""}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "`title`",
        ),
        (
            json!({"title": "x".repeat(301)}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "`title`",
        ),
        (
            json!({"title": "ok", "dueDate": "next week"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "`dueDate`",
        ),
        (
            json!({"title": "ok", "dueDate": "2025-02-30"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "`dueDate`",
        ),
        (
            json!({"title": "ok", "assigneeId": Uuid::now_v7()}),
            StatusCode::FORBIDDEN,
            "`assigneeId`",
        ),
        (
            json!({"title": "ok", "assigneeId": "not-a-uuid"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "assigneeId",
        ),
        (
            json!({"name": "ok"}),
            StatusCode::UNPROCESSABLE_ENTITY,
            "title",
        ),
    ];
    for (body, status, needle) in cases {
        let res = app.post("/api/todos", me, body.clone()).await;
        assert_eq!(res.status, status, "{body}: {:?}", res.body);
        assert!(res.detail().contains(needle), "{body}: {}", res.detail());
        assert!(res.body["code"].is_string());
    }
    let res = app.get("/api/todos/not-a-uuid", me).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = app.call(Method::GET, "/api/todos", None, None).await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn outsiders_get_404_participants_read_and_only_the_involved_may_change() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner").await;
    let bob = app.given_user("Bob").await;
    let carol = app.given_user("Carol").await;
    let outsider = app.given_user("Eve").await;
    let meeting = Uuid::now_v7();
    let people = [(owner, "Owner"), (bob, "Bob"), (carol, "Carol")];
    app.deliver(
        exchanges::MEETING,
        &ended(meeting, owner, &people, "- [ ] @Bob ship it"),
    )
    .await;
    let todo = &app.meeting_todos(owner, meeting).await[0];
    let path = format!("/api/todos/{}", todo["id"].as_str().unwrap());

    assert_eq!(app.get(&path, carol).await.status, StatusCode::OK);
    assert_eq!(app.get(&path, outsider).await.status, StatusCode::NOT_FOUND);
    let unknown = format!("/api/todos/{}", Uuid::now_v7());
    assert_eq!(app.get(&unknown, owner).await.status, StatusCode::NOT_FOUND);

    let res = app.patch(&path, carol, json!({"status": "DONE"})).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{:?}", res.body);
    let res = app.patch(&path, outsider, json!({"status": "DONE"})).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    // The assignee and the meeting's owner may.
    let res = app
        .patch(&path, bob, json!({"status": "IN_PROGRESS"}))
        .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    let res = app
        .patch(&path, owner, json!({"title": "Ship it today"}))
        .await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["title"], "Ship it today");

    // A manual todo without a meeting is private to its creator and assignee.
    let private = app.todo(carol, json!({"title": "Private"})).await;
    let path = format!("/api/todos/{}", private["id"].as_str().unwrap());
    assert_eq!(app.get(&path, owner).await.status, StatusCode::NOT_FOUND);
    // Known meetings only accept todos from their participants.
    let res = app
        .post(
            "/api/todos",
            outsider,
            json!({"title": "x", "meetingId": meeting}),
        )
        .await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.detail().contains("`meetingId`"), "{}", res.detail());
}

#[tokio::test]
async fn user_events_out_of_order_show_the_latest_name_and_never_revive_a_deleted_user() {
    let app = spawn_app().await;
    let me = app.given_user("Me").await;
    let gone = app.given_user("Gone Before").await;
    let renamed = Uuid::now_v7();
    let meeting = app.scheduled(me, &[gone, renamed]).await;
    let before = app
        .todo(
            me,
            json!({"title": "Hand over", "assigneeId": gone, "meetingId": meeting}),
        )
        .await;
    assert_eq!(before["assigneeName"], "Gone Before");
    let history = quorum_test_support::users::OutOfOrder::for_users(gone, renamed);
    history
        .deliver(&*app.broker, &app.test_db.db, "todo.directory")
        .await;

    // The deleted user's todo keeps the name it was given; the late rename is not applied.
    let path = format!("/api/todos/{}", before["id"].as_str().unwrap());
    let got = app.get(&path, me).await;
    assert_eq!(got.status, StatusCode::OK);
    assert_eq!(got.body["assigneeName"], "Gone Before");
    // The rename that arrived before the creation is the name shown.
    let after = app
        .todo(
            me,
            json!({"title": "Review", "assigneeId": history.renamed, "meetingId": meeting}),
        )
        .await;
    assert_eq!(after["assigneeName"], "Latest Name");
}
