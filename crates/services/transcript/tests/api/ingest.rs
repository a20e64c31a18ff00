//! `meeting.ended` → one transcript built from the notes, and `transcript.created`.

use quorum_contracts::events::TranscriptCreated;
use quorum_contracts::exchanges;
use uuid::Uuid;

use crate::helpers::{ended, spawn_app};

#[tokio::test]
async fn english_notes_give_speaker_sections_matched_to_participants() {
    let app = spawn_app().await;
    let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
    let notes = "Alice: We ship on Friday.\nalice kim: QA signs off Thursday.\n\n\
                 **Bob**: Docs are ready.\nCarol: I will announce it.";
    let e = ended(
        alice,
        &[(alice, "Alice Kim"), (bob, "Bob Stone")],
        Some(notes),
        None,
    );
    app.end_meeting(&e).await;

    let t = app.transcript_of(e.meeting_id, bob).await;
    assert_eq!(t["meetingId"], e.meeting_id.to_string());
    assert_eq!(t["meetingTitle"], "Weekly sync");
    assert_eq!(t["status"], "DRAFT");
    assert_eq!(t["source"], "NOTES");
    assert_eq!(t["language"], "en");
    assert_eq!(t["warnings"], serde_json::json!([]));
    let s = t["sections"].as_array().unwrap();
    assert_eq!(s.len(), 3);
    assert_eq!(s[0]["index"], 0);
    assert_eq!(s[0]["speaker"], "Alice Kim");
    assert_eq!(s[0]["speakerId"], alice.to_string());
    assert_eq!(s[0]["text"], "We ship on Friday.\nQA signs off Thursday.");
    assert_eq!(s[0]["verified"], false);
    assert_eq!(s[1]["speaker"], "Bob Stone");
    assert_eq!(s[1]["speakerId"], bob.to_string());
    assert_eq!(s[2]["speaker"], "Carol");
    assert!(
        s[2].get("speakerId").is_none(),
        "Carol is not a participant"
    );

    let events = app.events(1).await;
    assert_eq!(events[0].kind, "transcript.created");
    assert_eq!(events[0].source, "quorum/transcript");
    let created: TranscriptCreated = events[0].data_as().unwrap();
    assert_eq!(created.transcript_id.to_string(), t["id"].as_str().unwrap());
    assert_eq!(created.meeting_id, e.meeting_id);
    assert_eq!(created.participant_ids, [alice, bob]);
    assert_eq!(created.participants[1].name, "Bob Stone");
    assert_eq!(Some(created.meeting_date), e.scheduled_time);
    assert_eq!(created.sections.len(), 3);
    assert_eq!(created.sections[1].speaker_id, Some(bob));
    assert_eq!(created.source, "NOTES");
    assert_eq!(created.language, "en");
}

#[tokio::test]
async fn korean_notes_match_names_with_honorifics_and_are_korean() {
    let app = spawn_app().await;
    let (kim, lee) = (Uuid::now_v7(), Uuid::now_v7());
    let notes = "김철수님: 이번 주 API 배포를 완료했습니다.\n철수 씨: QA는 목요일까지입니다.\n\
                 이영희 : 문서는 준비됐어요.\n\n## 결정 사항\n- 금요일 출시";
    let e = ended(kim, &[(kim, "김철수"), (lee, "이영희")], Some(notes), None);
    app.end_meeting(&e).await;

    let t = app.transcript_of(e.meeting_id, lee).await;
    assert_eq!(t["language"], "ko");
    let s = t["sections"].as_array().unwrap();
    assert_eq!(s.len(), 3, "{s:#?}");
    assert_eq!(s[0]["speaker"], "김철수");
    assert_eq!(s[0]["speakerId"], kim.to_string());
    assert_eq!(
        s[0]["text"],
        "이번 주 API 배포를 완료했습니다.\nQA는 목요일까지입니다."
    );
    assert_eq!(s[1]["speakerId"], lee.to_string());
    assert_eq!(s[2]["speaker"], serde_json::Value::Null);
    assert_eq!(s[2]["text"], "## 결정 사항\n- 금요일 출시");
}

#[tokio::test]
async fn paragraphs_without_speakers_become_sections_and_no_notes_gives_an_empty_transcript() {
    let app = spawn_app().await;
    let owner = Uuid::now_v7();
    let notes =
        "# Launch review\n\n- Pricing approved\n- Docs pending\n\nNext meeting in two weeks.";
    let e = ended(owner, &[(owner, "Owner")], Some(notes), None);
    app.end_meeting(&e).await;
    let t = app.transcript_of(e.meeting_id, owner).await;
    let texts: Vec<&str> = t["sections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["text"].as_str().unwrap())
        .collect();
    assert_eq!(
        texts,
        [
            "# Launch review",
            "- Pricing approved\n- Docs pending",
            "Next meeting in two weeks."
        ]
    );

    let silent = ended(owner, &[(owner, "Owner")], None, None);
    app.end_meeting(&silent).await;
    let t = app.transcript_of(silent.meeting_id, owner).await;
    assert_eq!(t["sections"], serde_json::json!([]));
    assert_eq!(t["status"], "DRAFT");
    assert_eq!(t["language"], "en");
    let kinds: Vec<String> = app.events(2).await.into_iter().map(|e| e.kind).collect();
    assert_eq!(kinds, ["transcript.created", "transcript.created"]);
}

#[tokio::test]
async fn a_redelivered_or_repeated_meeting_ended_gives_one_transcript_and_one_event() {
    let app = spawn_app().await;
    let owner = Uuid::now_v7();
    let e = ended(owner, &[(owner, "Owner")], Some("Owner: first"), None);
    let first = app.end_meeting(&e).await;
    let first_transcript = app.transcript_of(e.meeting_id, owner).await;
    // The same envelope again (a redelivery), then a second envelope for the same meeting
    // with other notes: neither may create or change anything.
    app.publish(exchanges::MEETING, &first).await;
    let mut again = e.clone();
    again.notes = Some("Owner: second".into());
    app.end_meeting(&again).await;
    // A later meeting: with one consumer it is handled after the duplicates.
    let sentinel = ended(owner, &[(owner, "Owner")], Some("x"), None);
    app.end_meeting(&sentinel).await;
    app.transcript_of(sentinel.meeting_id, owner).await;

    let events = app.events(2).await;
    let created: Vec<TranscriptCreated> = events.iter().map(|e| e.data_as().unwrap()).collect();
    assert_eq!(created[0].meeting_id, e.meeting_id);
    assert_eq!(created[1].meeting_id, sentinel.meeting_id);
    // A moment for an event the reading consumer held unacknowledged to return to the queue.
    tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    assert_eq!(app.pending_events().await, 0);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM transcripts WHERE meeting_id = $1")
        .bind(e.meeting_id.to_string())
        .fetch_one(app.db.db.reader())
        .await
        .unwrap();
    assert_eq!(count, 1);
    let t = app.transcript_of(e.meeting_id, owner).await;
    assert_eq!(t["id"], first_transcript["id"]);
    assert_eq!(t["sections"][0]["text"], "first");
}
