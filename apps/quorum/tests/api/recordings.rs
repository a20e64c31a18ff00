//! The recording rules through the gateway: audio that claims 1 Hz is refused, a participant
//! cannot upload as someone else, and the daily quota answers 429 with `Retry-After`.

use quorum_test_support::audio;
use serde_json::Value;

use crate::helpers::{spawn_with, test_settings, TestApp, User};

async fn upload(
    app: &TestApp,
    user: &User,
    meeting: &str,
    query: &str,
    body: Vec<u8>,
) -> (u16, Option<String>, Value) {
    let res = app
        .client
        .post(app.url(&format!("/api/meetings/{meeting}/recording{query}")))
        .bearer_auth(&user.token)
        .header("content-type", "audio/wav")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status().as_u16();
    let retry = res
        .headers()
        .get("retry-after")
        .map(|v| v.to_str().unwrap().to_string());
    (status, retry, res.json().await.unwrap())
}

#[tokio::test]
async fn implausible_audio_other_peoples_tracks_and_a_spent_quota_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let speech = audio::speak(
        dir.path(),
        "speech",
        "A few words for the minutes.",
        "en-us",
    );
    let speech = std::fs::read(speech).unwrap();
    let data = tempfile::tempdir().unwrap();
    let mut settings = test_settings(data.path());
    // Room for one of these recordings a day (each is about two seconds).
    settings.meeting.recording_quota_secs = 3;
    let app = spawn_with(settings, data).await;
    let owner = app.register("Owner Lee", "owner@limits.test").await;
    let guest = app.register("Guest Park", "guest@limits.test").await;
    let meeting = app.create_meeting(&owner, "Limits", &[&guest]).await;
    let id = meeting["id"].as_str().unwrap();

    let tone: Vec<f32> = (0..16_000).map(|i| (i as f32 * 0.06).sin() * 0.5).collect();
    let one_hertz = quorum_audio::encode_wav(&tone, 1);
    let (status, _, body) = upload(&app, &owner, id, "", one_hertz).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (422, Some("implausible_audio")),
        "{body}"
    );

    let as_owner = format!("?participantId={}", owner.id);
    let (status, _, body) = upload(&app, &guest, id, &as_owner, speech.clone()).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (403, Some("not_meeting_owner")),
        "{body}"
    );

    let (status, _, body) = upload(&app, &guest, id, "", speech.clone()).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(body["participantId"], guest.id.as_str());
    let (status, retry, body) = upload(&app, &guest, id, "", speech).await;
    assert_eq!(
        (status, body["code"].as_str()),
        (429, Some("recording_quota_exceeded")),
        "{body}"
    );
    let retry: u64 = retry.expect("Retry-After").parse().unwrap();
    assert!((86_000..=86_400).contains(&retry), "Retry-After: {retry}");

    let list: Value = app
        .get(&owner, &format!("/api/meetings/{id}/recordings"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(list["total"], 1, "only the accepted upload is kept: {list}");
}
