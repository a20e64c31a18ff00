//! Recordings that yield nothing: an engine that hears no words in any chunk leaves the
//! transcript to the notes (not an empty one), and a track that claims an impossible format
//! (uploaded before uploads were checked) is named in a warning without being decoded.

use std::sync::Arc;

use async_trait::async_trait;
use quorum_test_support::audio;
use quorum_transcript::{AudioChunk, SpeechToText, SttError, SttOutput, SttSegment};
use uuid::Uuid;

use crate::helpers::{ended, spawn_app_with};
use crate::recording::{track, with_tracks};

/// An engine that hears nothing but blanks, as Whisper may in noise or music.
struct Deaf;

#[async_trait]
impl SpeechToText for Deaf {
    fn name(&self) -> &str {
        "deaf"
    }
    async fn ready(&self) -> Result<(), SttError> {
        Ok(())
    }
    async fn transcribe(&self, chunk: AudioChunk) -> Result<SttOutput, SttError> {
        Ok(SttOutput {
            language: None,
            segments: vec![SttSegment {
                start_ms: 0,
                end_ms: chunk.duration_ms(),
                text: "  ".into(),
                speaker: None,
            }],
        })
    }
}

#[tokio::test]
async fn a_recording_in_which_nothing_is_heard_leaves_the_notes_as_the_transcript() {
    let app = spawn_app_with(Arc::new(Deaf)).await;
    let owner = Uuid::now_v7();
    let d = app.dir.path();
    let speech = audio::speak(d, "speech", "This was said but not heard.", "en-us");
    let e = with_tracks(
        ended(
            owner,
            &[(owner, "Owner")],
            Some("Owner: ship it on Friday"),
            None,
        ),
        vec![track(speech, Some(owner))],
    );
    app.end_meeting(&e).await;

    let t = app.transcript_of(e.meeting_id, owner).await;
    assert_eq!(t["source"], "NOTES", "{t}");
    assert_eq!(t["sections"][0]["text"], "ship it on Friday");
    let warning = t["warnings"][0].as_str().unwrap();
    assert!(warning.contains("heard no words"), "{warning}");
    assert!(
        warning.contains("built from the meeting notes"),
        "{warning}"
    );
    let task = app
        .get(
            &format!(
                "/api/transcripts/tasks/{}",
                t["sttTaskId"].as_str().unwrap()
            ),
            owner,
        )
        .await;
    assert_eq!(task.body["status"], "FAILED", "{:?}", task.body);
}

#[tokio::test]
async fn a_stored_track_that_claims_1_hz_is_a_warning_not_hours_of_work() {
    let app = spawn_app_with(Arc::new(Deaf)).await;
    let owner = Uuid::now_v7();
    let tone: Vec<f32> = (0..16_000).map(|i| (i as f32 * 0.06).sin() * 0.5).collect();
    let path = app.dir.path().join("one-hertz.wav");
    std::fs::write(&path, quorum_audio::encode_wav(&tone, 1)).unwrap();
    let e = with_tracks(
        ended(owner, &[(owner, "Owner")], Some("Owner: hello"), None),
        vec![track(path, Some(owner))],
    );
    app.end_meeting(&e).await;

    let t = app.transcript_of(e.meeting_id, owner).await;
    assert_eq!(t["source"], "NOTES", "{t}");
    let warning = t["warnings"][0].as_str().unwrap();
    assert!(warning.contains("could not be transcribed"), "{warning}");
    assert!(warning.contains("sample rate of 1 Hz"), "{warning}");
}
