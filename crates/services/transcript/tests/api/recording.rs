//! Meetings with recordings: tracks decoded and cut at pauses into chunks, one job per chunk
//! on `transcript.creation.queue`, progress, assembly with speakers and times, failures per
//! chunk, waiting without an engine, and recordings that arrive after the end.

use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use async_trait::async_trait;
use quorum_bus::broker::headers;
use quorum_contracts::events::{MeetingEnded, RecordingRef, TranscriptCreated};
use quorum_contracts::exchanges;
use quorum_test_support::audio;
use quorum_transcript::{
    AudioChunk, SpeechToText, SttError, SttOutput, SttSegment, Unconfigured, UNCONFIGURED_MESSAGE,
};
use reqwest::StatusCode;
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::helpers::{chunks_dir, ended, envelope_of, spawn_app, spawn_app_with, TestApp};

/// A test engine: like Whisper, one timed segment per stretch of sound in the chunk, saying
/// how long it is ("speech of 1.2 s"), after a permit when gated; fails for good on chunks
/// longer than `fail_over_ms`; counts its calls.
struct FakeStt {
    gate: Option<Arc<Semaphore>>,
    fail_over_ms: u64,
    calls: AtomicUsize,
}

impl FakeStt {
    fn new() -> Arc<Self> {
        Arc::new(Self {
            gate: None,
            fail_over_ms: u64::MAX,
            calls: AtomicUsize::new(0),
        })
    }
}

#[async_trait]
impl SpeechToText for FakeStt {
    fn name(&self) -> &str {
        "fake"
    }
    async fn ready(&self) -> Result<(), SttError> {
        Ok(())
    }
    async fn transcribe(&self, chunk: AudioChunk) -> Result<SttOutput, SttError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        if let Some(gate) = &self.gate {
            gate.acquire().await.unwrap().forget();
        }
        let ms = chunk.duration_ms();
        if ms > self.fail_over_ms {
            return Err(SttError::InvalidAudio(format!("cannot hear {ms} ms")));
        }
        let rate = AudioChunk::SAMPLE_RATE;
        let at = |sample: usize| sample as u64 * 1000 / u64::from(rate);
        let vad = quorum_audio::VadOptions::default();
        let segments = quorum_audio::split_on_silence(&chunk.samples, rate, &vad)
            .into_iter()
            .map(|span| SttSegment {
                start_ms: at(span.start),
                end_ms: at(span.end),
                text: format!(
                    "speech of {:.1} s",
                    (at(span.end) - at(span.start)) as f64 / 1000.0
                ),
                speaker: None,
            })
            .collect();
        Ok(SttOutput {
            language: Some("en".into()),
            segments,
        })
    }
}

pub(crate) fn track(path: PathBuf, participant: Option<Uuid>) -> RecordingRef {
    RecordingRef {
        recording_id: Uuid::now_v7(),
        url: format!("file://{}", path.display()),
        participant_id: participant,
        format: "wav".into(),
        duration_ms: 0,
        size_bytes: std::fs::metadata(&path).unwrap().len(),
        sha256: String::new(),
    }
}

/// Alice speaks, pauses 1.5 s, speaks again; Bob's track starts with 5 s of silence.
fn two_tracks(app: &TestApp, alice: Uuid, bob: Uuid) -> Vec<RecordingRef> {
    let d = app.dir.path();
    let a1 = audio::speak(
        d,
        "a1",
        "Good morning everyone, let us start the weekly sync.",
        "en-us",
    );
    let gap = audio::silence(d, "gap", 1_500);
    let a2 = audio::speak(d, "a2", "The release is on track.", "en-us");
    let alice_track = audio::join(d, "alice", &[a1, gap, a2]);
    let lead = audio::silence(d, "lead", 5_000);
    let b1 = audio::speak(d, "b1", "Thanks Alice. The documents are ready.", "en-gb");
    let bob_track = audio::join(d, "bob", &[lead, b1]);
    vec![track(alice_track, Some(alice)), track(bob_track, Some(bob))]
}

pub(crate) fn with_tracks(mut e: MeetingEnded, tracks: Vec<RecordingRef>) -> MeetingEnded {
    e.audio_file_url = tracks.first().map(|t| t.url.clone());
    e.recordings = tracks;
    e
}

fn chunk_dirs(app: &TestApp) -> usize {
    std::fs::read_dir(chunks_dir(&app.dir)).map_or(0, |d| d.count())
}

#[tokio::test]
async fn two_tracks_become_timed_sections_of_their_participants_in_order() {
    let gate = Arc::new(Semaphore::new(0));
    let stt = Arc::new(FakeStt {
        gate: Some(gate.clone()),
        fail_over_ms: u64::MAX,
        calls: AtomicUsize::new(0),
    });
    let app = spawn_app_with(stt.clone()).await;
    let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
    let people = [(alice, "Alice Kim"), (bob, "Bob Stone")];
    let tracks = two_tracks(&app, alice, bob);
    let e = with_tracks(
        ended(alice, &people, Some("Alice: from the notes"), None),
        tracks,
    );
    app.end_meeting(&e).await;

    // While the chunks are transcribed the meeting's transcript answers 202 with the task.
    let by_meeting = format!("/api/transcripts?meetingId={}", e.meeting_id);
    let accepted = app.poll(&by_meeting, bob, StatusCode::ACCEPTED).await;
    let status_url = accepted["statusUrl"].as_str().unwrap().to_string();
    // The task's Server-Sent Events, subscribed before any chunk is done.
    let sse = app
        .client
        .get(app.url(&format!("{status_url}/events")))
        .header(quorum_test_support::service::USER_HEADER, bob.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(sse.status(), StatusCode::OK);
    gate.add_permits(1);
    app.eventually("progress after the first chunk", || async {
        let task = app.get(&status_url, bob).await.body;
        task["status"] == "PROCESSING" && task["progress"]["done"] == 1
    })
    .await;
    let task = app.get(&status_url, bob).await.body;
    // Alice's two sentences are packed into one chunk; Bob's track is the other.
    assert_eq!(task["progress"]["total"], 2, "{task}");
    gate.add_permits(1);

    let t = app.transcript_of(e.meeting_id, bob).await;
    assert_eq!(t["source"], "RECORDING");
    assert_eq!(t["warnings"], serde_json::json!([]));
    let s = t["sections"].as_array().unwrap();
    assert_eq!(s.len(), 3, "{s:#?}");
    let who: Vec<&str> = s.iter().map(|x| x["speaker"].as_str().unwrap()).collect();
    // Alice 0–~3.5 s, Bob from ~5 s (his track's leading silence), Alice after her pause.
    assert_eq!(who, ["Alice Kim", "Bob Stone", "Alice Kim"], "{s:#?}");
    assert_eq!(s[1]["speakerId"], bob.to_string());
    let starts: Vec<i64> = s.iter().map(|x| x["startMs"].as_i64().unwrap()).collect();
    assert!(starts.windows(2).all(|w| w[0] <= w[1]), "{starts:?}");
    assert!(
        (4_500..5_200).contains(&starts[1]),
        "Bob starts near 5 s: {starts:?}"
    );
    assert!(s[0]["text"].as_str().unwrap().starts_with("speech of"));

    let task = app.get(&status_url, bob).await;
    assert_eq!(task.body["status"], "COMPLETED");
    assert_eq!(
        task.body["progress"],
        serde_json::json!({"done": 2, "total": 2})
    );
    assert_eq!(task.body["result"]["transcriptId"], t["id"]);
    assert_eq!(task.body["result"]["chunks"], 2);
    assert_eq!(stt.calls.load(Ordering::SeqCst), 2);
    // The stream showed the progress chunk by chunk and ended with the transcript.
    let text = tokio::time::timeout(std::time::Duration::from_secs(10), sse.text())
        .await
        .expect("the stream ends after the terminal status")
        .unwrap();
    let snapshots: Vec<serde_json::Value> = text
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .map(|d| serde_json::from_str(d.trim()).unwrap())
        .collect();
    let done: Vec<u64> = snapshots
        .iter()
        .filter_map(|t| t["progress"]["done"].as_u64())
        .collect();
    assert!(done.contains(&1) && done.contains(&2), "{text}");
    assert!(done.windows(2).all(|w| w[0] <= w[1]), "{text}");
    let last = snapshots.last().unwrap();
    assert_eq!(last["status"], "COMPLETED", "{text}");
    assert_eq!(last["result"]["transcriptId"], t["id"]);
    let created: TranscriptCreated = app.events(1).await[0].data_as().unwrap();
    assert_eq!(created.source, "RECORDING");
    assert_eq!(chunk_dirs(&app), 0, "chunk audio is removed after assembly");
}

#[tokio::test]
async fn a_chunk_that_keeps_failing_is_dead_lettered_and_named_in_the_warnings() {
    // Alice's chunk (her two phrases, ~6 s) fails; Bob's (~3 s) succeeds.
    let stt = Arc::new(FakeStt {
        gate: None,
        fail_over_ms: 3_000,
        calls: AtomicUsize::new(0),
    });
    let app = spawn_app_with(stt).await;
    let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
    let people = [(alice, "Alice Kim"), (bob, "Bob Stone")];
    let tracks = two_tracks(&app, alice, bob);
    let e = with_tracks(ended(alice, &people, None, None), tracks);
    app.end_meeting(&e).await;

    let t = app.transcript_of(e.meeting_id, alice).await;
    assert_eq!(t["source"], "RECORDING");
    let s = t["sections"].as_array().unwrap();
    assert!(!s.is_empty() && s.len() < 3, "{s:#?}");
    let warning = t["warnings"][0].as_str().unwrap();
    assert!(warning.starts_with("0:00–0:0"), "{warning}");
    assert!(
        warning.contains("Alice Kim's recording is missing"),
        "{warning}"
    );
    assert!(warning.contains("cannot hear"), "{warning}");
    let dead = app.take("transcript.creation.queue.dlq", 1).await;
    assert!(dead[0].id.ends_with("#0"), "{}", dead[0].id);
    let reason = dead[0].headers.get(headers::DEATH_REASON).unwrap();
    assert!(reason.contains("cannot hear"), "{reason}");
}

#[tokio::test]
async fn without_an_engine_a_recording_waits_and_is_transcribed_after_a_restart_with_one() {
    let app = spawn_app_with(Arc::new(Unconfigured)).await;
    let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
    let people = [(alice, "Alice Kim"), (bob, "Bob Stone")];
    let tracks = two_tracks(&app, alice, bob);
    let e = with_tracks(ended(alice, &people, Some("Alice: notes"), None), tracks);
    app.end_meeting(&e).await;

    let by_meeting = format!("/api/transcripts?meetingId={}", e.meeting_id);
    let accepted = app.poll(&by_meeting, alice, StatusCode::ACCEPTED).await;
    let status_url = accepted["statusUrl"].as_str().unwrap().to_string();
    app.eventually("the task to say how to enable speech-to-text", || async {
        let task = app.get(&status_url, alice).await.body;
        task["message"]
            .as_str()
            .is_some_and(|m| m.contains(UNCONFIGURED_MESSAGE))
    })
    .await;
    let task = app.get(&status_url, alice).await.body;
    assert_eq!(task["status"], "PENDING");
    assert_eq!(
        app.broker
            .queue_depth("transcript.creation.queue")
            .await
            .unwrap(),
        0,
        "nothing is queued without an engine"
    );

    let stt = FakeStt::new();
    let app = app.restart_with(stt.clone()).await;
    let t = app.transcript_of(e.meeting_id, alice).await;
    assert_eq!(t["source"], "RECORDING");
    assert_eq!(t["sections"].as_array().unwrap().len(), 3);
    assert_eq!(stt.calls.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn a_recording_after_the_end_replaces_the_untouched_notes_transcript() {
    let stt = FakeStt::new();
    let app = spawn_app_with(stt).await;
    let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
    let people = [(alice, "Alice Kim"), (bob, "Bob Stone")];
    let e = ended(alice, &people, Some("Alice: notes only"), None);
    app.end_meeting(&e).await;
    let first = app.transcript_of(e.meeting_id, alice).await;
    assert_eq!(first["source"], "NOTES");
    let from_notes: TranscriptCreated = app.events(1).await[0].data_as().unwrap();

    let tracks = two_tracks(&app, alice, bob);
    let later = with_tracks(e.clone(), tracks);
    let env = envelope_of("meeting.recording_added", &later);
    app.publish(exchanges::MEETING, &env).await;
    let created: TranscriptCreated = app.events(1).await[0].data_as().unwrap();
    assert_eq!(created.source, "RECORDING");
    assert_ne!(created.transcript_id, from_notes.transcript_id);
    let t = app.transcript_of(e.meeting_id, alice).await;
    assert_eq!(t["id"], created.transcript_id.to_string());
    assert_eq!(t["sections"].as_array().unwrap().len(), 3);
    let old = format!("/api/transcripts/{}", from_notes.transcript_id);
    assert_eq!(app.get(&old, alice).await.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn a_recording_after_the_end_keeps_a_transcript_people_verified() {
    let stt = FakeStt::new();
    let app = spawn_app_with(stt.clone()).await;
    let (alice, bob) = (Uuid::now_v7(), Uuid::now_v7());
    let people = [(alice, "Alice Kim"), (bob, "Bob Stone")];
    let e = ended(alice, &people, Some("Alice: notes only"), None);
    app.end_meeting(&e).await;
    let t = app.transcript_of(e.meeting_id, alice).await;
    let verify = format!(
        "/api/transcripts/{}/sections/0/verify",
        t["id"].as_str().unwrap()
    );
    assert_eq!(
        app.post(&verify, alice, serde_json::json!({})).await.status,
        StatusCode::OK
    );

    let tracks = two_tracks(&app, alice, bob);
    let env = envelope_of("meeting.recording_added", &with_tracks(e.clone(), tracks));
    app.publish(exchanges::MEETING, &env).await;
    app.eventually("the event to be consumed", || async {
        app.broker
            .queue_depth("transcript.meeting.queue")
            .await
            .unwrap()
            == 0
    })
    .await;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    let again = app.transcript_of(e.meeting_id, alice).await;
    assert_eq!(again["id"], t["id"]);
    assert_eq!(again["source"], "NOTES");
    assert_eq!(stt.calls.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn unreadable_and_silent_recordings_fall_back_to_the_notes_with_a_warning() {
    let app = spawn_app_with(FakeStt::new()).await;
    let owner = Uuid::now_v7();
    let people = [(owner, "Owner")];
    let d = app.dir.path();
    let text = d.join("notes.wav");
    std::fs::write(&text, "this is not audio").unwrap();
    let quiet = audio::silence(d, "quiet", 3_000);
    let tracks = vec![track(text, Some(owner)), track(quiet, Some(owner))];
    let e = with_tracks(ended(owner, &people, Some("Owner: ship it"), None), tracks);
    app.end_meeting(&e).await;

    let t = app.transcript_of(e.meeting_id, owner).await;
    assert_eq!(t["source"], "NOTES");
    assert_eq!(t["sections"][0]["text"], "ship it");
    let warning = t["warnings"][0].as_str().unwrap();
    assert!(warning.contains("recording 1"), "{warning}");
    assert!(warning.contains("no speech"), "{warning}");
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
    assert_eq!(chunk_dirs(&app), 0);
}

#[tokio::test]
async fn an_old_style_audio_url_still_works_and_a_missing_file_is_a_warning() {
    let app = spawn_app().await;
    let owner = Uuid::now_v7();
    let e = ended(
        owner,
        &[(owner, "Owner")],
        Some("Owner: hi"),
        Some("file:///nowhere/x.wav"),
    );
    app.end_meeting(&e).await;
    let t = app.transcript_of(e.meeting_id, owner).await;
    assert_eq!(t["source"], "NOTES");
    assert!(
        t["warnings"][0]
            .as_str()
            .unwrap()
            .contains("/nowhere/x.wav"),
        "{t}"
    );
}
