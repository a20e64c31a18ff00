//! What an upload may be and who may send it: only the owner attributes a track to someone
//! else; audio that claims an impossible format, or is longer than the limit, is refused; and
//! each user has a daily quota of audio, which an upload after the end charges for every
//! track it has transcribed again and which deleting a meeting does not give back.

use reqwest::{Method, StatusCode};
use serde_json::json;
use uuid::Uuid;

use crate::audio::audio;
use crate::helpers::{spawn_app, spawn_app_with, Resp, TestApp};

const ATTRIBUTE: &str = "only the meeting's owner may upload a recording as another \
                         participant's track";

async fn total(app: &TestApp, user: Uuid, id: &str) -> u64 {
    app.recordings(user, id).await.body["total"]
        .as_u64()
        .unwrap()
}

#[tokio::test]
async fn a_participant_uploads_only_their_own_track_and_the_owner_anyones() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let guest = app.given_user("Guest", "guest@example.com").await;
    let other = app.given_user("Other", "other@example.com").await;
    let outsider = app.given_user("Outsider", "outsider@example.com").await;
    let m = app.meeting(owner, "Who said what", &[guest, other]).await;
    let id = m["id"].as_str().unwrap();
    let a = audio("I said this myself.");

    for speaker in [owner, other, outsider] {
        let query = format!("?participantId={speaker}");
        let raw = app.upload_as(guest, id, &a.wav, "audio/wav", &query).await;
        let form = app
            .upload_form(guest, id, &a.wav, "a.wav", Some(speaker))
            .await;
        for res in [raw, form] {
            assert_eq!(res.status, StatusCode::FORBIDDEN, "{:?}", res.body);
            assert_eq!(res.body["code"], "not_meeting_owner");
            assert_eq!(res.detail(), ATTRIBUTE);
        }
    }
    app.assert_no_recording(owner, id, "tracks attributed by a participant")
        .await;

    // Naming oneself is fine; the owner names any participant.
    let own = app
        .upload_as(
            guest,
            id,
            &a.wav,
            "audio/wav",
            &format!("?participantId={guest}"),
        )
        .await;
    assert_eq!(own.status, StatusCode::CREATED, "{:?}", own.body);
    assert_eq!(own.body["participantId"], guest.to_string());
    let theirs = app
        .upload_form(owner, id, &a.wav, "a.wav", Some(other))
        .await;
    assert_eq!(theirs.status, StatusCode::CREATED, "{:?}", theirs.body);
    assert_eq!(theirs.body["participantId"], other.to_string());
    assert_eq!(total(&app, owner, id).await, 2);
}

/// A tone of 16 000 samples in a WAV whose header says 1 Hz: 32 KB that reads as 4.4 hours.
fn one_hertz_wav() -> Vec<u8> {
    let tone: Vec<f32> = (0..16_000).map(|i| (i as f32 * 0.06).sin() * 0.5).collect();
    quorum_audio::encode_wav(&tone, 1)
}

#[tokio::test]
async fn a_wav_whose_header_claims_1_hz_is_refused() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let m = app.meeting(owner, "Tiny file", &[]).await;
    let id = m["id"].as_str().unwrap();
    let wav = one_hertz_wav();
    assert_eq!(wav.len(), 32_044);

    let res = app.upload(owner, id, &wav, "audio/wav").await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        res.body
    );
    assert_eq!(res.body["code"], "implausible_audio");
    assert_eq!(
        res.detail(),
        "the WAV file has a sample rate of 1 Hz; recordings must have 8000–192000 Hz"
    );
    app.assert_no_recording(owner, id, "a 1 Hz WAV").await;
}

#[tokio::test]
async fn a_recording_longer_than_the_limit_is_refused() {
    let app = spawn_app_with(|s| s.recording_max_duration_secs = 1).await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let m = app.meeting(owner, "Long talk", &[]).await;
    let id = m["id"].as_str().unwrap();
    let a = audio("This sentence takes well over a second to say.");
    assert!(a.wav_ms > 1_500 && a.mp3_ms > 1_500);

    for res in [
        app.upload(owner, id, &a.wav, "audio/wav").await,
        app.upload_form(owner, id, &a.mp3, "a.mp3", None).await,
    ] {
        assert_eq!(
            res.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "{:?}",
            res.body
        );
        assert_eq!(res.body["code"], "recording_too_long");
        assert_eq!(
            res.detail(),
            "the recording is longer than the limit of 1 s"
        );
    }
    app.assert_no_recording(owner, id, "over-long recordings")
        .await;
    let short = audio("Hi.");
    assert!(short.wav_ms < 1_000, "{} ms", short.wav_ms);
    let ok = app.upload(owner, id, &short.wav, "audio/wav").await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.body);
}

fn assert_over_quota(res: &Resp, detail: &str) {
    assert_eq!(res.status, StatusCode::TOO_MANY_REQUESTS, "{:?}", res.body);
    assert_eq!(res.body["code"], "recording_quota_exceeded");
    assert!(res.detail().contains(detail), "{}", res.detail());
    let retry: u64 = res.headers["retry-after"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    // Room comes back when the first upload is a day old.
    assert!((86_000..=86_400).contains(&retry), "Retry-After: {retry}");
}

#[tokio::test]
async fn each_user_has_a_daily_quota_that_deleting_a_meeting_does_not_give_back() {
    let a = audio("Each of these sentences takes about three seconds to say.");
    // Room for one of them, not two.
    let quota = (a.wav_ms * 3 / 2).div_ceil(1000);
    let app = spawn_app_with(|s| s.recording_quota_secs = quota).await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let guest = app.given_user("Guest", "guest@example.com").await;
    let m = app.meeting(owner, "Busy day", &[guest]).await;
    let id = m["id"].as_str().unwrap();

    let first = app.upload(guest, id, &a.wav, "audio/wav").await;
    assert_eq!(first.status, StatusCode::CREATED, "{:?}", first.body);
    let second = app.upload(guest, id, &a.wav, "audio/wav").await;
    assert_over_quota(&second, "it would exceed your quota of");
    assert_eq!(total(&app, owner, id).await, 1, "nothing kept");
    // The quota is the guest's: the owner still has room.
    let owners = app.upload(owner, id, &a.wav, "audio/wav").await;
    assert_eq!(owners.status, StatusCode::CREATED, "{:?}", owners.body);

    // Deleting the meeting deletes the recordings, not what they cost.
    let deleted = app
        .call(
            Method::DELETE,
            &format!("/api/meetings/{id}"),
            Some(owner),
            None,
        )
        .await;
    assert_eq!(deleted.status, StatusCode::NO_CONTENT, "{:?}", deleted.body);
    let again = app.meeting(owner, "Busy day, again", &[guest]).await;
    let again = again["id"].as_str().unwrap();
    let res = app.upload(guest, again, &a.wav, "audio/wav").await;
    assert_over_quota(&res, "it would exceed your quota of");
    app.assert_no_recording(owner, again, "an upload over the quota")
        .await;
}

#[tokio::test]
async fn an_upload_after_the_end_counts_every_track_it_has_transcribed_again() {
    let a = audio("Each of these sentences takes about three seconds to say.");
    let quota = (a.wav_ms * 5 / 2).div_ceil(1000);
    let app = spawn_app_with(|s| s.recording_quota_secs = quota).await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let guest = app.given_user("Guest", "guest@example.com").await;
    let m = app.meeting(owner, "Retro", &[guest]).await;
    let id = m["id"].as_str().unwrap();
    for user in [owner, guest] {
        let res = app.upload(user, id, &a.wav, "audio/wav").await;
        assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    }
    app.post(&format!("/api/meetings/{id}/start"), owner, json!({}))
        .await;
    let end = app
        .post(&format!("/api/meetings/{id}/end"), owner, json!({}))
        .await;
    assert_eq!(end.body["status"], "ENDED", "{:?}", end.body);

    // The owner has used one track of the quota; a short track now costs all three.
    let short = audio("Hi.");
    let res = app.upload(owner, id, &short.wav, "audio/wav").await;
    assert_over_quota(&res, "an upload counts every track of the meeting");
    assert_eq!(total(&app, owner, id).await, 2);
}
