//! Who a todo may be assigned to by hand: oneself, or a fellow participant of the todo's
//! meeting; anyone else is refused on create and on reassignment (403
//! `todo_assignee_forbidden`), and nothing reaches their list or their notifications.

use quorum_contracts::events::TodoCreated;
use quorum_contracts::exchanges;
use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{ended, spawn_app, TestApp};

fn assert_refused(res: &quorum_test_support::service::Resp, stranger: Uuid) {
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{:?}", res.body);
    assert_eq!(res.body["code"], "todo_assignee_forbidden");
    let detail = res.detail();
    assert!(
        detail.contains("only to yourself") && detail.contains(&stranger.to_string()),
        "{detail}"
    );
}

async fn listed(app: &TestApp, user: Uuid) -> u64 {
    app.get("/api/todos", user).await.body["total"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn a_todo_for_a_stranger_is_refused_and_reaches_nobody() {
    let app = spawn_app().await;
    let me = app.given_user("Me").await;
    let bob = app.given_user("Bob").await;
    let stranger = app.given_user("Stranger").await;
    let mine = app.scheduled(me, &[bob]).await;
    let theirs = app.scheduled(stranger, &[]).await;

    let wire = "Wire 5000 USD to this account";
    // No meeting, or a meeting of mine the stranger is not in.
    for body in [
        json!({"title": wire, "assigneeId": stranger}),
        json!({"title": wire, "assigneeId": stranger, "meetingId": mine}),
    ] {
        let res = app.post("/api/todos", me, body).await;
        assert_refused(&res, stranger);
    }
    // Nor by naming the stranger's meeting: only its participants add todos to it.
    let res = app
        .post(
            "/api/todos",
            me,
            json!({"title": wire, "assigneeId": stranger, "meetingId": theirs}),
        )
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        res.body
    );
    assert!(res.detail().contains("`meetingId`"), "{}", res.detail());

    // Nothing was stored or announced: the stranger's list is empty, and the first todo
    // event is the next allowed todo's.
    assert_eq!(listed(&app, stranger).await, 0);
    let allowed = app.todo(me, json!({"title": "Mine"})).await;
    let first: TodoCreated = app.events(1).await[0].data_as().unwrap();
    assert_eq!(first.todo_id.to_string(), allowed["id"].as_str().unwrap());
}

#[tokio::test]
async fn reassigning_to_a_stranger_is_refused_and_changes_nothing() {
    let app = spawn_app().await;
    let me = app.given_user("Me").await;
    let bob = app.given_user("Bob").await;
    let stranger = app.given_user("Stranger").await;
    let meeting = app.scheduled(me, &[bob]).await;
    let todo = app
        .todo(me, json!({"title": "Slides", "meetingId": meeting}))
        .await;
    let path = format!("/api/todos/{}", todo["id"].as_str().unwrap());

    let res = app
        .patch(
            &path,
            me,
            json!({"assigneeId": stranger, "title": "Pay me"}),
        )
        .await;
    assert_refused(&res, stranger);
    let kept = app.get(&path, me).await.body;
    assert_eq!(kept["title"], "Slides");
    assert!(kept.get("assigneeId").is_none(), "{kept}");
    assert_eq!(listed(&app, stranger).await, 0);

    // A todo without a meeting goes to nobody else either.
    let private = app.todo(me, json!({"title": "Errand"})).await;
    let private = format!("/api/todos/{}", private["id"].as_str().unwrap());
    let res = app.patch(&private, me, json!({"assigneeId": bob})).await;
    assert_refused(&res, bob);

    // A fellow participant may be given the meeting's todo.
    let res = app.patch(&path, me, json!({"assigneeId": bob})).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(res.body["assigneeName"], "Bob");
    assert_eq!(listed(&app, bob).await, 1);
}

#[tokio::test]
async fn fellow_participants_and_oneself_may_be_assigned() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner").await;
    let guest = app.given_user("Guest").await;
    let late = app.given_user("Late").await;
    // Scheduled (`meeting.created`): a guest gives a todo to the owner and the owner to a
    // guest.
    let scheduled = app.scheduled(owner, &[guest]).await;
    for (caller, assignee) in [(guest, owner), (owner, guest), (guest, guest)] {
        let res = app
            .post(
                "/api/todos",
                caller,
                json!({"title": "Prepare", "assigneeId": assignee, "meetingId": scheduled}),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
        assert_eq!(res.body["assigneeId"], assignee.to_string());
    }
    // Someone known as a participant only once the meeting ended.
    let people = [(owner, "Owner"), (guest, "Guest"), (late, "Late")];
    app.deliver(exchanges::MEETING, &ended(scheduled, owner, &people, ""))
        .await;
    let res = app
        .post(
            "/api/todos",
            guest,
            json!({"title": "Follow up", "assigneeId": late, "meetingId": scheduled}),
        )
        .await;
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    assert_eq!(res.body["assigneeName"], "Late");
    // Oneself, without any meeting.
    let own = app
        .todo(late, json!({"title": "Mine", "assigneeId": late}))
        .await;
    assert_eq!(own["assigneeId"], late.to_string());
    assert_eq!(listed(&app, late).await, 2);
    assert_eq!(listed(&app, owner).await, 2);
}
