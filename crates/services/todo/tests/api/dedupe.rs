use quorum_contracts::exchanges;
use uuid::Uuid;

use crate::helpers::{analysis, ended, item, spawn_app};

#[tokio::test]
async fn an_item_seen_in_the_notes_and_then_by_the_ai_is_one_todo() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner Park").await;
    let bob = app.given_user("Bob Stone").await;
    let meeting = Uuid::now_v7();
    let people = [(owner, "Owner Park"), (bob, "Bob Stone")];
    let notes = "- [ ] @Bob send the Q3 deck\n- [ ] @Bob review budget by Friday";
    app.deliver(exchanges::MEETING, &ended(meeting, owner, &people, notes))
        .await;
    let ai = analysis(
        meeting,
        &[owner, bob],
        vec![
            // Same item, other words, and a due date the notes lacked: filled in.
            item(
                "Send the Q3 deck to the team",
                Some(bob),
                None,
                Some("2025-01-24"),
            ),
            // Same item by name only, with another date: the existing date stays.
            item("Review the budget", None, Some("Bob"), Some("2025-02-01")),
            // Same title but someone else: a separate todo.
            item("Review the budget", Some(owner), None, None),
            // No counterpart: a new todo.
            item("Book the venue", None, Some("Carol"), None),
        ],
    );
    app.deliver(exchanges::AI, &ai).await;
    // Redelivered analysis: nothing more.
    app.publish(exchanges::AI, &ai).await;
    app.deliver(exchanges::AI, &analysis(Uuid::now_v7(), &[owner], vec![]))
        .await;

    let todos = app.meeting_todos(owner, meeting).await;
    let titles: Vec<&str> = todos.iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        [
            "send the Q3 deck",
            "review budget",
            "Review the budget",
            "Book the venue"
        ]
    );
    assert_eq!(todos[0]["dueDate"], "2025-01-24");
    assert_eq!(todos[0]["source"], "NOTES");
    assert_eq!(todos[1]["dueDate"], "2025-01-17");
    assert_eq!(todos[2]["assigneeId"], owner.to_string());
    assert_eq!(todos[2]["source"], "AI");
    assert_eq!(todos[3]["assigneeName"], "Carol");
    assert_eq!(todos[3]["createdBy"], owner.to_string());
    let kinds: Vec<String> = app.events(4).await.into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["todo.created"; 4]);
}

#[tokio::test]
async fn an_item_seen_by_the_ai_and_then_in_the_notes_is_one_todo() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner Park").await;
    let jimin = app.given_user("김지민").await;
    let meeting = Uuid::now_v7();
    let ai = analysis(
        meeting,
        &[owner, jimin],
        vec![
            item("배포를 확인하기", None, Some("지민"), None),
            item("Prepare the retro", None, None, Some("2025-01-30")),
        ],
    );
    app.deliver(exchanges::AI, &ai).await;
    // Before meeting.ended nobody owns the meeting: the AI todos have no creator yet, so
    // only the assignee sees theirs.
    assert_eq!(app.get("/api/todos", jimin).await.body["total"], 1);
    assert_eq!(app.get("/api/todos", owner).await.body["total"], 0);

    let notes = "- [ ] @지민 수요일까지 배포 확인\nTODO: prepare retro\nTODO: clean the wiki";
    let people = [(owner, "Owner Park"), (jimin, "김지민")];
    app.deliver(exchanges::MEETING, &ended(meeting, owner, &people, notes))
        .await;

    let todos = app.meeting_todos(owner, meeting).await;
    let titles: Vec<&str> = todos.iter().map(|t| t["title"].as_str().unwrap()).collect();
    assert_eq!(
        titles,
        ["배포를 확인하기", "Prepare the retro", "clean the wiki"]
    );
    assert_eq!(todos[0]["assigneeId"], jimin.to_string());
    assert_eq!(todos[0]["source"], "AI");
    // The notes' date fills in what the AI lacked; the AI's own date stays.
    assert_eq!(todos[0]["dueDate"], "2025-01-22");
    assert_eq!(todos[1]["dueDate"], "2025-01-30");
    assert_eq!(todos[2]["source"], "NOTES");
    // meeting.ended named the owner, who now owns the AI todos too.
    assert!(todos.iter().all(|t| t["createdBy"] == owner.to_string()));
}
