use quorum_contracts::events::TodoStatusChanged;
use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::spawn_app;

#[tokio::test]
async fn status_moves_forward_and_each_change_is_published_in_order() {
    let app = spawn_app().await;
    let me = app.given_user("Me").await;
    let a = app.todo(me, json!({"title": "First"})).await;
    let b = app.todo(me, json!({"title": "Second"})).await;
    let pa = format!("/api/todos/{}", a["id"].as_str().unwrap());
    let pb = format!("/api/todos/{}", b["id"].as_str().unwrap());

    let res = app.patch(&pa, me, json!({"status": "IN_PROGRESS"})).await;
    assert_eq!(res.body["status"], "IN_PROGRESS");
    let res = app.patch(&pa, me, json!({"status": "DONE"})).await;
    assert_eq!(res.body["status"], "DONE");
    // OPEN → DONE directly.
    let res = app.patch(&pb, me, json!({"status": "DONE"})).await;
    assert_eq!(res.status, StatusCode::OK);

    // Backwards is a conflict with a clear message, and changes nothing.
    let res = app.patch(&pa, me, json!({"status": "OPEN"})).await;
    assert_eq!(res.status, StatusCode::CONFLICT);
    assert_eq!(res.body["code"], "invalid_todo_transition");
    assert!(
        res.detail().contains("from DONE to OPEN"),
        "{}",
        res.detail()
    );
    assert_eq!(app.get(&pa, me).await.body["status"], "DONE");
    // The same status again is not a change (no event).
    assert_eq!(
        app.patch(&pa, me, json!({"status": "DONE"})).await.status,
        StatusCode::OK
    );

    let res = app.patch(&pa, me, json!({"status": "FINISHED"})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.detail().contains("`status`"));
    let res = app.patch(&pa, me, json!({})).await;
    assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY);

    let events = app.events(7).await;
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "todo.created",
            "todo.created",
            "todo.status_changed",
            "todo.status_changed",
            "todo.completed",
            "todo.status_changed",
            "todo.completed",
        ]
    );
    let change: TodoStatusChanged = events[3].data_as().unwrap();
    assert_eq!(
        (change.from.as_str(), change.to.as_str()),
        ("IN_PROGRESS", "DONE")
    );
    assert_eq!(change.changed_by, Some(me));
    assert_eq!(events[4].data, events[3].data);
    assert!(events.iter().all(|e| e.source == "quorum/todo"));

    let history: Vec<(Option<String>, String)> = sqlx::query_as(
        "SELECT from_status, to_status FROM todo_status_history WHERE todo_id = $1 ORDER BY seq",
    )
    .bind(a["id"].as_str().unwrap())
    .fetch_all(app.test_db.db.reader())
    .await
    .unwrap();
    let history: Vec<(Option<&str>, &str)> = history
        .iter()
        .map(|(f, t)| (f.as_deref(), t.as_str()))
        .collect();
    assert_eq!(
        history,
        [
            (None, "OPEN"),
            (Some("OPEN"), "IN_PROGRESS"),
            (Some("IN_PROGRESS"), "DONE")
        ]
    );
}

#[tokio::test]
async fn title_assignee_and_due_date_can_be_changed_and_cleared() {
    let app = spawn_app().await;
    let me = app.given_user("Me").await;
    let bob = app.given_user("Bob").await;
    let meeting = app.scheduled(me, &[bob]).await;
    let t = app
        .todo(
            me,
            json!({"title": "Draft", "dueDate": "2025-04-01", "meetingId": meeting}),
        )
        .await;
    let path = format!("/api/todos/{}", t["id"].as_str().unwrap());
    let res = app
        .patch(
            &path,
            me,
            json!({"title": "Final draft", "assigneeId": bob, "dueDate": "2025-04-02"}),
        )
        .await;
    assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
    assert_eq!(res.body["title"], "Final draft");
    assert_eq!(res.body["assigneeName"], "Bob");
    assert_eq!(res.body["dueDate"], "2025-04-02");
    // Bob, now the assignee, may change it too; null clears.
    let res = app.patch(&path, bob, json!({"dueDate": null})).await;
    assert_eq!(res.status, StatusCode::OK);
    assert!(res.body.get("dueDate").is_none());
    let res = app.patch(&path, me, json!({"assigneeId": null})).await;
    assert!(res.body.get("assigneeId").is_none());
    // Bob is no longer involved: a participant, he may read it but not change it.
    assert_eq!(app.get(&path, bob).await.status, StatusCode::OK);
    let res = app.patch(&path, bob, json!({"title": "Mine"})).await;
    assert_eq!(res.status, StatusCode::FORBIDDEN);
    assert_eq!(res.body["code"], "todo_forbidden");

    let bad = [
        (json!({"title": " "}), "`title`"),
        (json!({"dueDate": "soon"}), "`dueDate`"),
        (json!({"priority": 1}), "priority"),
    ];
    for (body, needle) in bad {
        let res = app.patch(&path, me, body.clone()).await;
        assert_eq!(res.status, StatusCode::UNPROCESSABLE_ENTITY, "{body}");
        assert!(res.detail().contains(needle), "{body}: {}", res.detail());
    }
}
