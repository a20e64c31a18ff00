use reqwest::StatusCode;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_list_holds_the_callers_todos_filtered_and_paginated() {
    let app = spawn_app().await;
    let me = app.given_user("Me").await;
    let bob = app.given_user("Bob").await;
    let m1 = Uuid::now_v7();
    let m2 = app.scheduled(me, &[bob]).await;
    for i in 0..5 {
        app.todo(me, json!({"title": format!("mine {i}"), "meetingId": m1}))
            .await;
    }
    let for_bob = app
        .todo(
            me,
            json!({"title": "for bob", "assigneeId": bob, "meetingId": m2}),
        )
        .await;
    let bobs_own = app
        .todo(bob, json!({"title": "bob's own", "assigneeId": bob}))
        .await;
    app.todo(
        bob,
        json!({"title": "bob's for me", "assigneeId": me, "meetingId": m2}),
    )
    .await;

    let page = app.get("/api/todos?size=3", me).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        (page.body["total"].as_u64(), page.body["size"].as_u64()),
        (Some(7), Some(3))
    );
    let titles: Vec<&str> = page.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["bob's for me", "for bob", "mine 4"]);
    let last = app.get("/api/todos?size=3&page=3", me).await;
    assert_eq!(last.body["items"].as_array().unwrap().len(), 1);
    assert_eq!(last.body["items"][0]["title"], "mine 0");

    let by_meeting = app.get(&format!("/api/todos?meetingId={m1}"), me).await;
    assert_eq!(by_meeting.body["total"], 5);
    let by_assignee = app.get(&format!("/api/todos?assigneeId={bob}"), me).await;
    assert_eq!(by_assignee.body["items"][0]["id"], for_bob["id"]);
    assert_eq!(by_assignee.body["total"], 1);
    let bob_list = app.get("/api/todos", bob).await;
    assert_eq!(bob_list.body["total"], 3);
    assert!(bob_list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .any(|t| t["id"] == bobs_own["id"]));

    let path = format!("/api/todos/{}", for_bob["id"].as_str().unwrap());
    app.patch(&path, bob, json!({"status": "DONE"})).await;
    let done = app.get("/api/todos?status=DONE", me).await;
    assert_eq!(done.body["total"], 1);
    assert_eq!(app.get("/api/todos?status=OPEN", me).await.body["total"], 6);

    for bad in [
        "status=done",
        "meetingId=nope",
        "assigneeId=1",
        "page=0",
        "size=101",
    ] {
        let res = app.get(&format!("/api/todos?{bad}"), me).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn stats_count_by_status_overall_and_per_meeting() {
    let app = spawn_app().await;
    let me = app.given_user("Me").await;
    let m1 = Uuid::now_v7();
    let mut ids = Vec::new();
    for body in [
        json!({"title": "a", "meetingId": m1}),
        json!({"title": "b", "meetingId": m1}),
        json!({"title": "c", "meetingId": m1}),
        json!({"title": "d"}),
    ] {
        ids.push(app.todo(me, body).await["id"].as_str().unwrap().to_string());
    }
    let empty = app.get("/api/todos/stats", Uuid::now_v7()).await;
    assert_eq!(empty.body["total"], 0);

    let before = app.get("/api/todos/stats", me).await;
    assert_eq!(
        before.body["byStatus"],
        json!({"OPEN": 4, "IN_PROGRESS": 0, "DONE": 0})
    );
    app.patch(
        &format!("/api/todos/{}", ids[0]),
        me,
        json!({"status": "DONE"}),
    )
    .await;
    app.patch(
        &format!("/api/todos/{}", ids[1]),
        me,
        json!({"status": "IN_PROGRESS"}),
    )
    .await;
    // The cached stats were evicted by the writes.
    let stats = app.get("/api/todos/stats", me).await;
    assert_eq!(stats.body["total"], 4);
    assert_eq!(
        stats.body["byStatus"],
        json!({"OPEN": 2, "IN_PROGRESS": 1, "DONE": 1})
    );
    assert_eq!(
        stats.body["meetings"],
        json!([{"meetingId": m1, "total": 3, "byStatus": {"OPEN": 1, "IN_PROGRESS": 1, "DONE": 1}}])
    );
}

#[tokio::test]
async fn cached_lists_show_every_write_of_every_involved_user() {
    let app = spawn_app().await;
    let me = app.given_user("Me").await;
    let bob = app.given_user("Bob").await;
    let meeting = app.scheduled(me, &[bob]).await;
    let t = app
        .todo(
            me,
            json!({"title": "Cache me", "assigneeId": bob, "meetingId": meeting}),
        )
        .await;
    let path = format!("/api/todos/{}", t["id"].as_str().unwrap());
    // Both lists are now cached.
    assert_eq!(
        app.get("/api/todos", me).await.body["items"][0]["status"],
        "OPEN"
    );
    assert_eq!(
        app.get("/api/todos", bob).await.body["items"][0]["status"],
        "OPEN"
    );

    app.patch(
        &path,
        bob,
        json!({"status": "IN_PROGRESS", "title": "Cached"}),
    )
    .await;
    for user in [me, bob] {
        let list = app.get("/api/todos", user).await;
        assert_eq!(list.body["items"][0]["status"], "IN_PROGRESS");
        assert_eq!(list.body["items"][0]["title"], "Cached");
    }
    // A new todo shows at once in the assignee's cached list.
    app.todo(
        me,
        json!({"title": "Another", "assigneeId": bob, "meetingId": meeting}),
    )
    .await;
    assert_eq!(app.get("/api/todos", bob).await.body["total"], 2);
    // Reassigning away drops it from Bob's list.
    app.patch(&path, me, json!({"assigneeId": me})).await;
    assert_eq!(app.get("/api/todos", bob).await.body["total"], 1);
}

#[tokio::test]
async fn a_participant_lists_every_todo_of_their_meetings_by_status_and_due_date() {
    let app = spawn_app().await;
    let owner = app.given_user("Olive Owner").await;
    let me = app.given_user("Mia Member").await;
    let outsider = app.given_user("Otto Outsider").await;
    let meeting = Uuid::now_v7();
    let other_meeting = Uuid::now_v7();
    app.deliver(
        quorum_contracts::exchanges::MEETING,
        &crate::helpers::ended(
            meeting,
            owner,
            &[(owner, "Olive Owner"), (me, "Mia Member")],
            "",
        ),
    )
    .await;
    app.deliver(
        quorum_contracts::exchanges::MEETING,
        &crate::helpers::ended(other_meeting, outsider, &[(outsider, "Otto Outsider")], ""),
    )
    .await;
    // The owner's own to-do from the meeting, one of mine, and one of a meeting I am not in.
    app.todo(
        owner,
        json!({"title": "owner's slides", "meetingId": meeting, "dueDate": "2026-12-10"}),
    )
    .await;
    app.todo(
        me,
        json!({"title": "my notes", "meetingId": meeting, "dueDate": "2026-12-03"}),
    )
    .await;
    app.todo(me, json!({"title": "my errand"})).await;
    app.todo(
        outsider,
        json!({"title": "outsider's", "meetingId": other_meeting}),
    )
    .await;
    let titles = |body: &serde_json::Value| -> Vec<String> {
        let mut t: Vec<String> = body["items"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["title"].as_str().unwrap().to_owned())
            .collect();
        t.sort();
        t
    };

    // Mine only, by default; with scope=meetings, the owner's too, never the outsider's.
    assert_eq!(
        titles(&app.get("/api/todos", me).await.body),
        ["my errand", "my notes"]
    );
    let all = app.get("/api/todos?scope=meetings", me).await.body;
    assert_eq!(titles(&all), ["my errand", "my notes", "owner's slides"]);
    let slides = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == "owner's slides")
        .unwrap();
    assert_eq!(slides["meetingTitle"], "Weekly sync");
    assert_eq!(
        titles(
            &app.get(
                &format!("/api/todos?scope=meetings&meetingId={meeting}"),
                me
            )
            .await
            .body
        ),
        ["my notes", "owner's slides"]
    );

    // Due dates: a range, inclusive, and to-dos without a date left out.
    let app = &app;
    let due = |q: &str| {
        let path = format!("/api/todos?scope=meetings&{q}");
        async move { titles(&app.get(&path, me).await.body) }
    };
    assert_eq!(due("dueFrom=2026-12-04").await, ["owner's slides"]);
    assert_eq!(due("dueTo=2026-12-03").await, ["my notes"]);
    assert_eq!(
        due("dueFrom=2026-12-03&dueTo=2026-12-10").await,
        ["my notes", "owner's slides"]
    );

    // Several statuses at once.
    let notes_id = all["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|t| t["title"] == "my notes")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    app.patch(
        &format!("/api/todos/{notes_id}"),
        me,
        json!({"status": "IN_PROGRESS"}),
    )
    .await;
    assert_eq!(
        due("status=OPEN,IN_PROGRESS").await,
        ["my errand", "my notes", "owner's slides"]
    );
    assert_eq!(due("status=IN_PROGRESS").await, ["my notes"]);

    for bad in [
        "scope=everyone",
        "dueFrom=tomorrow",
        "dueTo=2026-13-01",
        "status=OPEN,nope",
    ] {
        let res = app.get(&format!("/api/todos?{bad}"), me).await;
        assert_eq!(res.status, StatusCode::BAD_REQUEST, "{bad}");
        let detail = res.body["detail"].as_str().unwrap_or_default().to_owned();
        assert!(!detail.is_empty(), "{bad}: {:?}", res.body);
    }
}
