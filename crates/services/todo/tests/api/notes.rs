use quorum_contracts::exchanges;
use serde_json::json;
use uuid::Uuid;

use crate::helpers::{ended, spawn_app, summary};

const NOTES: &str = "\
Alice: let's wrap up.
- [ ] @Bob send the deck by Friday
- [ ] Alice Kim: update the roadmap
TODO: Carol - renew the certificate (by 1/20)
TODO(Bob): book the offsite venue tomorrow
Action: Alice to draft the press release next Monday
AI: order new laptops
- [x] @Bob already done
할 일: 지민 - 회의록 공유 다음 주 화요일까지
- [ ] @지민 수요일까지 배포 확인
- [ ] 서연님 1월 31일까지 예산안 검토
- [ ] @Dave call the vendor
Bob: sounds good";

#[tokio::test]
async fn explicit_lines_in_english_and_korean_become_assigned_dated_todos() {
    let app = spawn_app().await;
    let alice = app.given_user("Alice Kim").await;
    let bob = app.given_user("Bob Stone").await;
    let jimin = app.given_user("김지민").await;
    let seoyeon = app.given_user("이서연").await;
    let meeting = Uuid::now_v7();
    let people = [
        (alice, "Alice Kim"),
        (bob, "Bob Stone"),
        (jimin, "김지민"),
        (seoyeon, "이서연"),
    ];
    app.deliver(exchanges::MEETING, &ended(meeting, alice, &people, NOTES))
        .await;

    let todos = app.meeting_todos(alice, meeting).await;
    let expect = |title: &str, who: Option<Uuid>, due: Option<&str>| json!({"title": title, "assigneeId": who.map(|u| u.to_string()), "dueDate": due, "source": "NOTES"});
    assert_eq!(
        summary(&todos),
        [
            expect("send the deck", Some(bob), Some("2025-01-17")),
            expect("update the roadmap", Some(alice), None),
            expect("renew the certificate", None, Some("2025-01-20")),
            expect("book the offsite venue", Some(bob), Some("2025-01-16")),
            expect("draft the press release", Some(alice), Some("2025-01-20")),
            expect("order new laptops", None, None),
            expect("회의록 공유", Some(jimin), Some("2025-01-21")),
            expect("배포 확인", Some(jimin), Some("2025-01-22")),
            expect("예산안 검토", Some(seoyeon), Some("2025-01-31")),
            expect("call the vendor", None, None),
        ]
    );
    // Unmatched names are kept as written; matched ones carry the directory's name.
    assert_eq!(todos[2]["assigneeName"], "Carol");
    assert_eq!(todos[9]["assigneeName"], "Dave");
    assert_eq!(todos[0]["assigneeName"], "Bob Stone");
    assert!(todos[5].get("assigneeName").is_none());
    for t in &todos {
        assert_eq!(t["status"], "OPEN");
        assert_eq!(t["createdBy"], alice.to_string());
        assert_eq!(t["meetingId"], meeting.to_string());
    }
    // The assignee sees their own todos.
    let bobs = app.get("/api/todos", bob).await;
    assert_eq!(bobs.body["total"], 2);
}

#[tokio::test]
async fn a_redelivered_meeting_ended_creates_nothing_more() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner").await;
    let bob = app.given_user("Bob").await;
    let meeting = Uuid::now_v7();
    let env = ended(
        meeting,
        owner,
        &[(owner, "Owner"), (bob, "Bob")],
        "- [ ] @Bob ship it\n- [ ] Owner: write notes",
    );
    app.deliver(exchanges::MEETING, &env).await;
    app.publish(exchanges::MEETING, &env).await;
    // A later event on the same queue: with one worker, it is handled after the duplicate.
    let other = Uuid::now_v7();
    app.deliver(
        exchanges::MEETING,
        &ended(other, owner, &[(owner, "Owner")], "TODO: check"),
    )
    .await;
    assert_eq!(app.meeting_todos(owner, meeting).await.len(), 2);

    // The same meeting ending again under a new event id (a replayed outbox row with a
    // fresh id, say) is caught by the title dedupe.
    let again = ended(
        meeting,
        owner,
        &[(owner, "Owner"), (bob, "Bob")],
        "- [ ] @Bob ship it\n- [ ] Owner: write notes",
    );
    app.deliver(exchanges::MEETING, &again).await;
    assert_eq!(app.meeting_todos(owner, meeting).await.len(), 2);
    let created = app.events(3).await;
    assert!(created.iter().all(|e| e.kind == "todo.created"));
}
