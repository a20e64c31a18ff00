//! The OpenAI-compatible speech-to-text client against a real HTTP server (wiremock): what it
//! sends, how it reads both answer shapes, which failures it retries, and its circuit breaker.

use std::sync::Arc;

use quorum_contracts::events::RecordingRef;
use quorum_test_support::audio;
use quorum_transcript::{AudioChunk, OpenAiSettings, OpenAiStt, SpeechToText, SttError, SttOutput};
use serde_json::json;
use uuid::Uuid;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, Request, ResponseTemplate};

use crate::helpers::{ended, spawn_app_with};

fn settings(server: &MockServer) -> OpenAiSettings {
    OpenAiSettings {
        url: server.uri(),
        api_key: Some(quorum_service::Secret::new("sk-test")),
        model: "whisper-1".into(),
        timeout_secs: 5,
        retries: 2,
        breaker_failures: 5,
        breaker_open_secs: 30,
    }
}

/// One second of a 440 Hz tone.
fn chunk(language: Option<&str>) -> AudioChunk {
    let samples: Vec<f32> = (0..16_000)
        .map(|i| (i as f32 * 440.0 * std::f32::consts::TAU / 16_000.0).sin() * 0.3)
        .collect();
    AudioChunk {
        samples: Arc::from(samples),
        language: language.map(str::to_owned),
    }
}

/// The value of the multipart field `name` in `req`, as text.
fn field(req: &Request, name: &str) -> Option<String> {
    let body = String::from_utf8_lossy(&req.body);
    let marker = format!("name=\"{name}\"");
    let at = body.find(&marker)?;
    let rest = &body[at..];
    let start = rest.find("\r\n\r\n")? + 4;
    let end = rest[start..].find("\r\n--")? + start;
    Some(rest[start..end].to_string())
}

fn verbose() -> serde_json::Value {
    json!({
        "task": "transcribe", "language": "english", "duration": 1.0,
        "text": "Hello there. Budget approved.",
        "segments": [
            {"id": 0, "start": 0.0, "end": 0.48, "text": " Hello there."},
            {"id": 1, "start": 0.5, "end": 0.98, "text": " Budget approved."},
            {"id": 2, "start": 0.98, "end": 1.0, "text": "  "}
        ]
    })
}

#[tokio::test]
async fn posts_the_chunk_as_wav_with_model_language_and_key_and_reads_verbose_segments() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/audio/transcriptions"))
        .and(header("authorization", "Bearer sk-test"))
        .respond_with(ResponseTemplate::new(200).set_body_json(verbose()))
        .expect(1)
        .mount(&server)
        .await;
    let stt = OpenAiStt::new(&settings(&server)).unwrap();
    let out = stt.transcribe(chunk(Some("en"))).await.unwrap();
    assert_eq!(
        out.language.as_deref(),
        Some("en"),
        "language names become codes"
    );
    let texts: Vec<_> = out.segments.iter().map(|s| s.text.as_str()).collect();
    assert_eq!(
        texts,
        ["Hello there.", "Budget approved."],
        "blank segments dropped"
    );
    assert_eq!(
        (out.segments[1].start_ms, out.segments[1].end_ms),
        (500, 980)
    );

    let requests = server.received_requests().await.unwrap();
    let req = &requests[0];
    assert_eq!(field(req, "model").as_deref(), Some("whisper-1"));
    assert_eq!(
        field(req, "response_format").as_deref(),
        Some("verbose_json")
    );
    assert_eq!(field(req, "language").as_deref(), Some("en"));
    // The file part is a 16 kHz mono WAV of the whole chunk.
    let body = &req.body;
    let riff = body
        .windows(4)
        .position(|w| w == b"RIFF")
        .expect("a WAV file part");
    let wav = &body[riff..];
    assert_eq!(&wav[8..12], b"WAVE");
    assert_eq!(u32::from_le_bytes(wav[24..28].try_into().unwrap()), 16_000);
    assert_eq!(u16::from_le_bytes(wav[22..24].try_into().unwrap()), 1);
}

#[tokio::test]
async fn a_plain_text_answer_is_one_segment_spanning_the_chunk() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(
            ResponseTemplate::new(200)
                .set_body_json(json!({"text": " Just text. ", "duration": 1.0})),
        )
        .mount(&server)
        .await;
    let stt = OpenAiStt::new(&settings(&server)).unwrap();
    let out: SttOutput = stt.transcribe(chunk(None)).await.unwrap();
    assert_eq!(out.segments.len(), 1);
    assert_eq!(out.segments[0].text, "Just text.");
    assert_eq!(
        (out.segments[0].start_ms, out.segments[0].end_ms),
        (0, 1000)
    );
    let requests = server.received_requests().await.unwrap();
    assert_eq!(
        field(&requests[0], "language"),
        None,
        "no language unless configured"
    );
}

#[tokio::test]
async fn overload_and_server_errors_are_retried_then_succeed() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(429).set_body_string("slow down"))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(503))
        .up_to_n_times(1)
        .mount(&server)
        .await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(200).set_body_json(verbose()))
        .mount(&server)
        .await;
    let stt = OpenAiStt::new(&settings(&server)).unwrap();
    let out = stt.transcribe(chunk(None)).await.unwrap();
    assert_eq!(out.segments.len(), 2);
    assert_eq!(server.received_requests().await.unwrap().len(), 3);
}

#[tokio::test]
async fn a_refused_chunk_is_not_retried_and_says_why() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(400).set_body_string("unsupported audio"))
        .mount(&server)
        .await;
    let stt = OpenAiStt::new(&settings(&server)).unwrap();
    let err = stt.transcribe(chunk(None)).await.unwrap_err();
    assert!(
        matches!(&err, SttError::InvalidAudio(m) if m.contains("unsupported audio")),
        "{err}"
    );
    assert!(!err.is_transient());
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}

#[tokio::test]
async fn a_failing_server_opens_the_circuit_and_later_calls_fail_fast() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .respond_with(ResponseTemplate::new(500))
        .mount(&server)
        .await;
    let mut s = settings(&server);
    s.retries = 0;
    s.breaker_failures = 2;
    let stt = OpenAiStt::new(&s).unwrap();
    for _ in 0..2 {
        let err = stt.transcribe(chunk(None)).await.unwrap_err();
        assert!(err.is_transient(), "{err}");
    }
    let err = stt.transcribe(chunk(None)).await.unwrap_err();
    assert!(err.to_string().contains("circuit"), "{err}");
    assert!(err.is_transient(), "the chunk is redelivered later");
    assert_eq!(
        server.received_requests().await.unwrap().len(),
        2,
        "the open circuit spares the server"
    );
}

#[tokio::test]
async fn readiness_follows_the_server() {
    let server = MockServer::start().await;
    Mock::given(method("GET"))
        .and(path("/v1/models"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({"data": []})))
        .mount(&server)
        .await;
    let mut s = settings(&server);
    s.url = format!("{}/v1/", server.uri());
    assert!(OpenAiStt::new(&s).unwrap().ready().await.is_ok());

    let unreachable = OpenAiSettings {
        url: "http://127.0.0.1:9".into(),
        ..settings(&server)
    };
    let err = OpenAiStt::new(&unreachable)
        .unwrap()
        .ready()
        .await
        .unwrap_err();
    assert!(err.is_transient(), "{err}");
    assert!(OpenAiStt::new(&OpenAiSettings {
        url: "ftp://stt".into(),
        ..settings(&server)
    })
    .is_err());
}

#[tokio::test]
async fn the_service_transcribes_a_recording_through_an_openai_compatible_server() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/v1/audio/transcriptions"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "language": "en",
            "segments": [{"start": 0.1, "end": 1.2, "text": " The server heard this."}]
        })))
        .mount(&server)
        .await;
    let stt = Arc::new(OpenAiStt::new(&settings(&server)).unwrap());
    let app = spawn_app_with(stt).await;
    let alice = Uuid::now_v7();
    let voice = audio::speak(app.dir.path(), "alice", "Let us begin the review.", "en-us");
    let mut e = ended(
        alice,
        &[(alice, "Alice Kim")],
        Some("Alice: from the notes"),
        None,
    );
    e.recordings = vec![RecordingRef {
        recording_id: Uuid::now_v7(),
        url: format!("file://{}", voice.display()),
        participant_id: Some(alice),
        format: "wav".into(),
        duration_ms: 0,
        size_bytes: std::fs::metadata(&voice).unwrap().len(),
        sha256: String::new(),
    }];
    app.end_meeting(&e).await;

    let t = app.transcript_of(e.meeting_id, alice).await;
    assert_eq!(t["source"], "RECORDING", "{t}");
    let sections = t["sections"].as_array().unwrap();
    assert_eq!(sections.len(), 1, "{t}");
    assert_eq!(sections[0]["text"], "The server heard this.");
    assert_eq!(sections[0]["speaker"], "Alice Kim");
    assert_eq!(server.received_requests().await.unwrap().len(), 1);
}
