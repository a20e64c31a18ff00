//! Meetings take turns with the speech-to-text workers: a meeting that ends while a long
//! recording is being transcribed waits for a window of that recording's chunks, not all of
//! them, and its transcript comes first.

use std::sync::{Arc, Mutex};

use async_trait::async_trait;
use quorum_contracts::events::TranscriptCreated;
use quorum_test_support::audio;
use quorum_transcript::{AudioChunk, SpeechToText, SttError, SttOutput, SttSegment};
use tokio::sync::Semaphore;
use uuid::Uuid;

use crate::helpers::{ended, spawn_app_with, TestApp};
use crate::recording::{track, with_tracks};

/// An engine that waits for a permit per chunk and writes down each chunk's length, in the
/// order the workers hand them over.
struct Turnstile {
    gate: Semaphore,
    heard_ms: Mutex<Vec<u64>>,
}

#[async_trait]
impl SpeechToText for Turnstile {
    fn name(&self) -> &str {
        "turnstile"
    }
    async fn ready(&self) -> Result<(), SttError> {
        Ok(())
    }
    async fn transcribe(&self, chunk: AudioChunk) -> Result<SttOutput, SttError> {
        let ms = chunk.duration_ms();
        self.heard_ms.lock().unwrap().push(ms);
        self.gate.acquire().await.unwrap().forget();
        Ok(SttOutput {
            language: Some("en".into()),
            segments: vec![SttSegment {
                start_ms: 0,
                end_ms: ms,
                text: format!("{ms} ms of speech"),
                speaker: None,
            }],
        })
    }
}

impl Turnstile {
    fn calls(&self) -> usize {
        self.heard_ms.lock().unwrap().len()
    }
}

async fn enqueued(app: &TestApp, meeting: Uuid) -> bool {
    sqlx::query_scalar::<_, i64>("SELECT enqueued FROM stt_jobs WHERE meeting_id = $1")
        .bind(meeting.to_string())
        .fetch_optional(app.db.db.reader())
        .await
        .unwrap()
        == Some(1)
}

#[tokio::test]
async fn a_short_meeting_is_transcribed_between_the_chunks_of_a_long_one() {
    let stt = Arc::new(Turnstile {
        gate: Semaphore::new(0),
        heard_ms: Mutex::new(Vec::new()),
    });
    let app = spawn_app_with(stt.clone()).await;
    let owner = Uuid::now_v7();
    let people = [(owner, "Owner")];
    let d = app.dir.path();

    // Twelve short phrases four seconds apart: twelve chunks (pauses over 3 s are not packed).
    let phrase = audio::speak(d, "item", "Next item.", "en-us");
    let pause = audio::silence(d, "pause", 4_000);
    let parts: Vec<_> = (0..12)
        .flat_map(|_| [phrase.clone(), pause.clone()])
        .collect();
    let long = audio::join(d, "long", &parts);
    let long = with_tracks(
        ended(owner, &people, None, None),
        vec![track(long, Some(owner))],
    );
    // One longer sentence: one chunk, longer than any of the others.
    let short = audio::speak(
        d,
        "short",
        "Thanks everyone, the short meeting is over now.",
        "en-us",
    );
    let short = with_tracks(
        ended(owner, &people, None, None),
        vec![track(short, Some(owner))],
    );

    app.end_meeting(&long).await;
    app.eventually(
        "the long meeting's first chunk to reach the engine",
        || async { stt.calls() == 1 },
    )
    .await;
    app.end_meeting(&short).await;
    app.eventually("the short meeting's chunk to be queued", || async {
        enqueued(&app, short.meeting_id).await
    })
    .await;
    stt.gate.add_permits(100);

    let first: TranscriptCreated = app.events(1).await[0].data_as().unwrap();
    let second: TranscriptCreated = app.events(1).await[0].data_as().unwrap();
    assert_eq!(
        (first.meeting_id, second.meeting_id),
        (short.meeting_id, long.meeting_id),
        "the short meeting's transcript comes first"
    );
    let heard = stt.heard_ms.lock().unwrap().clone();
    assert_eq!(heard.len(), 13, "{heard:?}");
    let longest = heard.iter().max().unwrap();
    let turn = heard.iter().position(|ms| ms == longest).unwrap();
    // One worker, three chunks a meeting on the queue: the long meeting's first chunk was in
    // the engine and two more were queued when the short one arrived; it is the fourth.
    assert_eq!(
        turn, 3,
        "the short meeting's chunk came after {turn} of 12: {heard:?}"
    );
}
