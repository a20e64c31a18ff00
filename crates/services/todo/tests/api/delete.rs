//! `DELETE /api/todos/{id}`: the creator or the meeting's owner deletes (204, then 404), the
//! todo leaves every list and count, and `todo.deleted` is published; an assignee who did not
//! create it gets 403, someone who cannot see it 404.

use quorum_contracts::events::TodoDeleted;
use quorum_contracts::exchanges;
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use uuid::Uuid;

use crate::helpers::{analysis, ended, item, spawn_app, TestApp};

async fn delete(app: &TestApp, path: &str, user: Uuid) -> quorum_test_support::service::Resp {
    app.call(Method::DELETE, path, Some(user), None).await
}

/// The ids in the caller's list.
async fn listed(app: &TestApp, user: Uuid) -> Vec<String> {
    let res = app.get("/api/todos?size=100", user).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    res.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap().to_string())
        .collect()
}

async fn total(app: &TestApp, user: Uuid) -> Value {
    app.get("/api/todos/stats", user).await.body["total"].clone()
}

#[tokio::test]
async fn the_creator_deletes_a_todo_and_it_is_gone_from_every_list() {
    let app = spawn_app().await;
    let me = app.given_user("Me").await;
    let bob = app.given_user("Bob").await;
    let keep = app.todo(me, json!({"title": "Keep this"})).await;
    let meeting = app.scheduled(me, &[bob]).await;
    let todo = app
        .todo(
            me,
            json!({"title": "Drop this", "assigneeId": bob, "meetingId": meeting}),
        )
        .await;
    let id = todo["id"].as_str().unwrap().to_string();
    let path = format!("/api/todos/{id}");
    // Both lists and counts are cached before the delete.
    assert_eq!(listed(&app, me).await.len(), 2);
    assert_eq!(listed(&app, bob).await, [id.as_str()]);
    assert_eq!(total(&app, me).await, 2);
    assert_eq!(total(&app, bob).await, 1);

    let res = delete(&app, &path, me).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{:?}", res.body);
    assert_eq!(res.body, Value::Null);
    // Gone: read, deleted again, listed, counted.
    assert_eq!(app.get(&path, me).await.status, StatusCode::NOT_FOUND);
    let again = delete(&app, &path, me).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(again.body["code"], "todo_not_found");
    assert_eq!(listed(&app, me).await, [keep["id"].as_str().unwrap()]);
    assert!(listed(&app, bob).await.is_empty());
    assert_eq!(total(&app, me).await, 1);
    assert_eq!(total(&app, bob).await, 0);
    let history: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM todo_status_history WHERE todo_id = $1")
            .bind(&id)
            .fetch_one(app.test_db.db.reader())
            .await
            .unwrap();
    assert_eq!(history, 0);

    let events = app.events(3).await;
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["todo.created", "todo.created", "todo.deleted"]);
    assert_eq!(events[2].source, "quorum/todo");
    assert_eq!(events[2].subject.as_deref(), Some(id.as_str()));
    let gone: TodoDeleted = events[2].data_as().unwrap();
    assert_eq!(gone.todo_id.to_string(), id);
    assert_eq!(gone.title, "Drop this");
    assert_eq!(gone.status, "OPEN");
    assert_eq!(gone.assignee_id, Some(bob));
    assert_eq!(gone.created_by, Some(me));
    assert_eq!(gone.deleted_by, me);
    assert_eq!(gone.meeting_id, Some(meeting));

    let res = app.get("/api/todos/not-a-uuid", me).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST);
    let res = delete(&app, "/api/todos/not-a-uuid", me).await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{:?}", res.body);
    let res = app
        .call(
            Method::DELETE,
            &format!("/api/todos/{}", keep["id"].as_str().unwrap()),
            None,
            None,
        )
        .await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn an_assignee_who_did_not_create_it_gets_403_and_outsiders_404() {
    let app = spawn_app().await;
    let me = app.given_user("Me").await;
    let bob = app.given_user("Bob").await;
    let eve = app.given_user("Eve").await;
    let meeting = app.scheduled(me, &[bob]).await;
    let todo = app
        .todo(
            me,
            json!({"title": "Mine to drop", "assigneeId": bob, "meetingId": meeting}),
        )
        .await;
    let path = format!("/api/todos/{}", todo["id"].as_str().unwrap());

    let res = delete(&app, &path, bob).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN, "{:?}", res.body);
    assert_eq!(res.body["code"], "todo_delete_forbidden");
    assert!(
        res.detail().contains("creator") && res.detail().contains("owner"),
        "{}",
        res.detail()
    );
    // The assignee may still change it.
    let res = app.patch(&path, bob, json!({"status": "DONE"})).await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);

    let res = delete(&app, &path, eve).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);
    let unknown = format!("/api/todos/{}", Uuid::now_v7());
    assert_eq!(
        delete(&app, &unknown, me).await.status,
        StatusCode::NOT_FOUND
    );
    // Still there for both.
    assert_eq!(app.get(&path, me).await.status, StatusCode::OK);
    assert_eq!(app.get(&path, bob).await.status, StatusCode::OK);

    // A DONE todo's deletion says so (the meeting takes it out of `completed` too).
    assert_eq!(delete(&app, &path, me).await.status, StatusCode::NO_CONTENT);
    let events = app.events(4).await;
    assert_eq!(events[3].kind, "todo.deleted");
    let gone: TodoDeleted = events[3].data_as().unwrap();
    assert_eq!(gone.status, "DONE");
}

#[tokio::test]
async fn the_meetings_owner_deletes_a_todo_from_the_minutes() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner").await;
    let bob = app.given_user("Bob").await;
    let carol = app.given_user("Carol").await;
    let meeting = Uuid::now_v7();
    let people = [(owner, "Owner"), (bob, "Bob"), (carol, "Carol")];
    app.deliver(
        exchanges::MEETING,
        &ended(
            meeting,
            owner,
            &people,
            "- [ ] @Bob ship it\n- [ ] @Carol write the notes",
        ),
    )
    .await;
    let todos = app.meeting_todos(owner, meeting).await;
    assert_eq!(todos.len(), 2, "{todos:?}");
    let ship = todos
        .iter()
        .find(|t| t["assigneeId"] == bob.to_string())
        .unwrap();
    let path = format!("/api/todos/{}", ship["id"].as_str().unwrap());
    assert_eq!(total(&app, bob).await, 1);

    // A participant who may read it, and its assignee, may not delete it.
    for user in [carol, bob] {
        let res = delete(&app, &path, user).await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{:?}", res.body);
    }
    let res = delete(&app, &path, owner).await;
    assert_eq!(res.status, StatusCode::NO_CONTENT, "{:?}", res.body);
    assert_eq!(app.get(&path, bob).await.status, StatusCode::NOT_FOUND);
    assert_eq!(app.meeting_todos(owner, meeting).await.len(), 1);
    assert!(listed(&app, bob).await.is_empty());
    assert_eq!(total(&app, bob).await, 0);

    let events = app.events(3).await;
    let gone: TodoDeleted = events[2].data_as().unwrap();
    assert_eq!(events[2].kind, "todo.deleted");
    assert_eq!(gone.meeting_id, Some(meeting));
    assert_eq!(gone.deleted_by, owner);
    assert_eq!(gone.created_by, Some(owner));

    // The analysis finds the same action items again (after a correction, say): the deleted
    // one stays deleted, the other is not doubled, a new one is made.
    let items = vec![
        item("Ship it", Some(bob), Some("Bob"), None),
        item("Write the notes", Some(carol), Some("Carol"), None),
        item("Book the demo room", Some(carol), Some("Carol"), None),
    ];
    app.deliver(
        exchanges::AI,
        &analysis(meeting, &[owner, bob, carol], items),
    )
    .await;
    let titles: Vec<String> = app
        .meeting_todos(owner, meeting)
        .await
        .iter()
        .map(|t| t["title"].as_str().unwrap().to_lowercase())
        .collect();
    assert_eq!(titles.len(), 2, "{titles:?}");
    assert!(titles.iter().any(|t| t.contains("demo room")), "{titles:?}");
    assert!(!titles.iter().any(|t| t.contains("ship")), "{titles:?}");
    assert!(listed(&app, bob).await.is_empty());
}
