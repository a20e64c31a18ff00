//! Meetings with a recording: the speech-to-text job, its task, and the fallback to notes.

use std::sync::Arc;

use async_trait::async_trait;
use quorum_bus::broker::headers;
use quorum_bus::Broker;
use quorum_contracts::events::TranscriptCreated;
use quorum_transcript::{AudioRef, SpeechToText, SttError, SttSegment, UNCONFIGURED_MESSAGE};
use reqwest::StatusCode;
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::helpers::{ended, spawn_app, spawn_app_with};

const AUDIO: &str = "file:///recordings/weekly.webm";

#[tokio::test]
async fn without_an_engine_the_job_fails_and_the_transcript_comes_from_the_notes() {
    let app = spawn_app().await;
    let (owner, guest) = (Uuid::now_v7(), Uuid::now_v7());
    let people = [(owner, "Owner"), (guest, "Guest")];
    let e = ended(owner, &people, Some("Owner: ship it"), Some(AUDIO));
    app.end_meeting(&e).await;

    let t = app.transcript_of(e.meeting_id, guest).await;
    assert_eq!(t["source"], "NOTES");
    assert_eq!(t["sections"][0]["text"], "ship it");
    let warning = t["warnings"][0].as_str().unwrap();
    assert!(warning.contains("speech-to-text failed"), "{warning}");
    assert!(warning.contains(UNCONFIGURED_MESSAGE), "{warning}");
    let task_id = t["sttTaskId"].as_str().unwrap();
    assert!(task_id.starts_with("stt-"));

    let status = format!("/api/transcripts/tasks/{task_id}");
    let task = app.get(&status, guest).await;
    assert_eq!(task.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(task.body["status"], "FAILED");
    assert_eq!(task.body["errorMessage"], UNCONFIGURED_MESSAGE);
    assert_eq!(
        app.get(&status, Uuid::now_v7()).await.status,
        StatusCode::NOT_FOUND
    );

    let dead = app.take("transcript.creation.queue.dlq", 1).await;
    assert_eq!(dead[0].id, task_id);
    let reason = dead[0].headers.get(headers::DEATH_REASON).unwrap();
    assert!(reason.contains("not configured"), "{reason}");

    let created: TranscriptCreated = app.events(1).await[0].data_as().unwrap();
    assert_eq!(created.source, "NOTES");
}

/// A test engine: waits for a permit, then returns fixed segments.
struct FakeStt {
    gate: Arc<Semaphore>,
}

#[async_trait]
impl SpeechToText for FakeStt {
    fn name(&self) -> &str {
        "fake"
    }
    async fn ready(&self) -> Result<(), SttError> {
        Ok(())
    }
    async fn transcribe(&self, audio: AudioRef) -> Result<Vec<SttSegment>, SttError> {
        assert_eq!(audio.url, AUDIO);
        let _permit = self.gate.acquire().await.unwrap();
        let seg = |start_ms, end_ms, text: &str, speaker: Option<&str>| SttSegment {
            start_ms,
            end_ms,
            text: text.into(),
            speaker: speaker.map(str::to_string),
        };
        Ok(vec![
            seg(0, 2_000, "Good morning.", Some("alice")),
            seg(2_000, 4_500, "Let's start.", Some("alice")),
            seg(4_500, 7_000, "Docs are ready.", Some("SPEAKER_2")),
            seg(7_000, 9_000, "   ", None),
            seg(9_000, 12_000, "Thanks all.", None),
        ])
    }
}

#[tokio::test]
async fn a_working_engine_gives_timed_sections_and_a_completed_task() {
    let gate = Arc::new(Semaphore::new(0));
    let app = spawn_app_with(Arc::new(FakeStt { gate: gate.clone() })).await;
    let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
    let people = [(alice, "Alice Kim"), (bob, "Bob Stone")];
    let e = ended(alice, &people, Some("Alice: from the notes"), Some(AUDIO));
    app.end_meeting(&e).await;

    // While the engine works, the meeting's transcript answers 202 with the task to follow.
    let by_meeting = format!("/api/transcripts?meetingId={}", e.meeting_id);
    let accepted = app.poll(&by_meeting, bob, StatusCode::ACCEPTED).await;
    let status_url = accepted["statusUrl"].as_str().unwrap().to_string();
    assert_eq!(
        app.get(&by_meeting, Uuid::now_v7()).await.status,
        StatusCode::NOT_FOUND
    );
    app.eventually("the task to be processing", || async {
        app.get(&status_url, bob).await.body["status"] == "PROCESSING"
    })
    .await;
    gate.add_permits(1);

    let t = app.transcript_of(e.meeting_id, bob).await;
    assert_eq!(t["source"], "RECORDING");
    assert_eq!(t["warnings"], serde_json::json!([]));
    let s = t["sections"].as_array().unwrap();
    assert_eq!(s.len(), 3, "{s:#?}");
    assert_eq!(s[0]["speaker"], "Alice Kim");
    assert_eq!(s[0]["speakerId"], alice.to_string());
    assert_eq!(s[0]["text"], "Good morning. Let's start.");
    assert_eq!(
        (s[0]["startMs"].as_i64(), s[0]["endMs"].as_i64()),
        (Some(0), Some(4_500))
    );
    assert_eq!(s[1]["speaker"], "SPEAKER_2");
    assert!(s[1].get("speakerId").is_none());
    assert_eq!(
        (s[2]["startMs"].as_i64(), s[2]["endMs"].as_i64()),
        (Some(9_000), Some(12_000))
    );
    assert_eq!(s[2]["speaker"], serde_json::Value::Null);

    let task = app.get(&status_url, bob).await;
    assert_eq!(task.status, StatusCode::OK);
    assert_eq!(task.body["status"], "COMPLETED");
    assert_eq!(
        task.body["progress"],
        serde_json::json!({"done": 5, "total": 5})
    );
    assert_eq!(task.body["result"]["transcriptId"], t["id"]);
    assert_eq!(task.body["result"]["engine"], "fake");

    let created: TranscriptCreated = app.events(1).await[0].data_as().unwrap();
    assert_eq!(created.source, "RECORDING");
    assert_eq!(created.sections[0].end_ms, Some(4_500));
    assert_eq!(
        app.broker
            .queue_depth("transcript.creation.queue.dlq")
            .await
            .unwrap(),
        0
    );
}

#[tokio::test]
async fn a_full_work_queue_falls_back_to_the_notes_at_once() {
    let gate = Arc::new(Semaphore::new(0));
    let app = spawn_app_with(Arc::new(FakeStt { gate: gate.clone() })).await;
    let owner = Uuid::now_v7();
    let people = [(owner, "Owner")];
    // The only worker is busy with a first recording…
    let busy = ended(owner, &people, None, Some(AUDIO));
    app.end_meeting(&busy).await;
    let path = format!("/api/transcripts?meetingId={}", busy.meeting_id);
    let accepted = app.poll(&path, owner, StatusCode::ACCEPTED).await;
    app.eventually("the worker to take the job", || async {
        app.get(accepted["statusUrl"].as_str().unwrap(), owner)
            .await
            .body["status"]
            == "PROCESSING"
    })
    .await;
    // …and 1000 jobs wait behind it.
    for i in 0..1000 {
        let msg = quorum_bus::Message::new(format!("filler-{i}"), b"{}".to_vec());
        app.broker
            .send("transcript.creation.queue", msg)
            .await
            .unwrap();
    }
    let e = ended(owner, &people, Some("Owner: notes win"), Some(AUDIO));
    app.end_meeting(&e).await;

    let t = app.transcript_of(e.meeting_id, owner).await;
    assert_eq!(t["source"], "NOTES");
    assert_eq!(t["sections"][0]["text"], "notes win");
    let warning = t["warnings"][0].as_str().unwrap();
    assert!(warning.contains("queue is full"), "{warning}");
    let task = app
        .get(
            &format!(
                "/api/transcripts/tasks/{}",
                t["sttTaskId"].as_str().unwrap()
            ),
            owner,
        )
        .await;
    assert_eq!(task.body["status"], "FAILED");
    assert!(task.body["errorMessage"]
        .as_str()
        .unwrap()
        .contains("queue is full"));
    gate.add_permits(1);
    let first = app.transcript_of(busy.meeting_id, owner).await;
    assert_eq!(first["source"], "RECORDING");
}
