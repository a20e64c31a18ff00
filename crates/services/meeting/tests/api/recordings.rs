//! Recording uploads: real audio, raw and multipart bodies, the refusals (each leaving no
//! file and no row) and the events that carry recordings.

use std::path::Path;

use quorum_contracts::events::{MeetingEnded, MEETING_ENDED, MEETING_RECORDING_ADDED};
use reqwest::StatusCode;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::audio::{audio, into_resp, sha256, BOUNDARY};
use crate::helpers::{spawn_app, spawn_app_with, Resp};

fn assert_recording(res: &Resp, format: &str, bytes: &[u8], expected_ms: u64) {
    assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
    let b = &res.body;
    assert_eq!(b["format"], format);
    assert_eq!(b["sizeBytes"], bytes.len() as u64);
    assert_eq!(b["sha256"], sha256(bytes));
    let ms = b["durationMs"].as_u64().unwrap();
    assert!(
        ms.abs_diff(expected_ms) <= 150,
        "duration {ms} ms, sox says {expected_ms} ms"
    );
    assert!(b["id"]
        .as_str()
        .is_some_and(|id| Uuid::parse_str(id).is_ok()));
    assert!(b["createdAt"].is_string());
}

#[tokio::test]
async fn raw_and_multipart_uploads_are_stored_and_listed_in_order() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let guest = app.given_user("Guest", "guest@example.com").await;
    let m = app.meeting(owner, "Standup", &[guest]).await;
    let id = m["id"].as_str().unwrap();
    let a = audio("Good morning everyone, let us start the standup.");

    let raw = app.upload(owner, id, &a.wav, "audio/wav").await;
    assert_recording(&raw, "wav", &a.wav, a.wav_ms);
    assert_eq!(raw.body["meetingId"], id);
    assert_eq!(
        raw.body["participantId"],
        owner.to_string(),
        "the uploader by default"
    );
    let rid = raw.body["id"].as_str().unwrap();
    let stored = app.recordings_dir.join(id).join(format!("{rid}.wav"));
    assert_eq!(
        std::fs::read(&stored).unwrap(),
        a.wav,
        "the file is stored as sent"
    );

    let multipart = app
        .upload_form(guest, id, &a.mp3, "guest.mp3", Some(guest))
        .await;
    assert_recording(&multipart, "mp3", &a.mp3, a.mp3_ms);
    assert_eq!(multipart.body["participantId"], guest.to_string());

    // The owner uploads the guest's track; the content type does not matter.
    let for_guest = app
        .upload_as(
            owner,
            id,
            &a.mp3,
            "application/octet-stream",
            &format!("?participantId={guest}"),
        )
        .await;
    assert_recording(&for_guest, "mp3", &a.mp3, a.mp3_ms);
    assert_eq!(for_guest.body["participantId"], guest.to_string());

    let list = app.recordings(guest, id).await;
    assert_eq!(list.status, StatusCode::OK);
    assert_eq!(list.body["total"], 3);
    let ids: Vec<&Value> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| &i["id"])
        .collect();
    assert_eq!(
        ids,
        [
            &raw.body["id"],
            &multipart.body["id"],
            &for_guest.body["id"]
        ]
    );
    assert_eq!(list.body["items"][1]["sha256"], sha256(&a.mp3));

    let mut files: Vec<String> = app
        .files_of(id)
        .iter()
        .map(|p| p.extension().unwrap().to_string_lossy().into_owned())
        .collect();
    files.sort();
    assert_eq!(files, ["mp3", "mp3", "wav"], "no partial file is left");
}

#[tokio::test]
async fn bad_audio_is_refused_and_leaves_nothing_behind() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let m = app.meeting(owner, "Review", &[]).await;
    let id = m["id"].as_str().unwrap();
    let a = audio("This recording will be cut in half.");

    let empty = app.upload(owner, id, b"", "audio/wav").await;
    assert_eq!(
        empty.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        empty.body
    );
    assert_eq!(empty.body["code"], "empty_recording");
    assert_eq!(empty.detail(), "the recording is empty");
    app.assert_no_recording(owner, id, "an empty body").await;

    let text = "Minutes of the meeting\n".repeat(200);
    for res in [
        app.upload(owner, id, text.as_bytes(), "audio/wav").await,
        app.upload_form(owner, id, text.as_bytes(), "notes.wav", None)
            .await,
    ] {
        assert_eq!(
            res.status,
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{:?}",
            res.body
        );
        assert_eq!(res.body["code"], "unsupported_audio_format");
        for format in ["WAV", "FLAC", "MP3", "Ogg", "M4A", "WebM"] {
            assert!(res.detail().contains(format), "{}", res.detail());
        }
    }
    app.assert_no_recording(owner, id, "a text file named .wav")
        .await;

    let half = &a.mp3[..a.mp3.len() / 2];
    let truncated = app.upload(owner, id, half, "audio/mpeg").await;
    assert_eq!(
        truncated.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        truncated.body
    );
    assert_eq!(truncated.body["code"], "undecodable_audio");
    assert!(!truncated.detail().is_empty());
    app.assert_no_recording(owner, id, "a truncated MP3").await;

    let empty_file = app.upload_form(owner, id, b"", "x.wav", None).await;
    assert_eq!(empty_file.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(empty_file.body["code"], "empty_recording");
    let only_text = format!(
        "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"note\"\r\n\r\nhi\r\n--{BOUNDARY}--\r\n"
    );
    let multipart = format!("multipart/form-data; boundary={BOUNDARY}");
    let no_file = app
        .upload(owner, id, only_text.as_bytes(), &multipart)
        .await;
    assert_eq!(no_file.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(no_file.detail().contains("`file`"), "{}", no_file.detail());
    app.assert_no_recording(owner, id, "forms without audio")
        .await;
}

#[tokio::test]
async fn uploads_over_the_limit_are_413_naming_it() {
    const LIMIT: u64 = 16 * 1024;
    let app = spawn_app_with(|s| s.recording_max_bytes = LIMIT).await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let m = app.meeting(owner, "Long talk", &[]).await;
    let id = m["id"].as_str().unwrap();
    let a = audio("This one is far too long for the configured limit of the service.");
    assert!(a.wav.len() as u64 > 4 * LIMIT);

    // Refused from Content-Length, before a byte is read.
    let declared = app.upload(owner, id, &a.wav, "audio/wav").await;
    assert_eq!(
        declared.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{:?}",
        declared.body
    );
    assert_eq!(declared.body["code"], "recording_too_large");
    assert!(
        declared.detail().contains(&LIMIT.to_string()),
        "{}",
        declared.detail()
    );
    app.assert_no_recording(owner, id, "a declared oversize body")
        .await;

    // Without a length, counted while streaming.
    let chunks: Vec<Result<Vec<u8>, std::io::Error>> =
        a.wav.chunks(4096).map(|c| Ok(c.to_vec())).collect();
    let res = app
        .upload_request(owner, id, "")
        .header("content-type", "audio/wav")
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    let streamed = into_resp(res).await;
    assert_eq!(
        streamed.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{:?}",
        streamed.body
    );
    assert_eq!(streamed.body["code"], "recording_too_large");
    app.assert_no_recording(owner, id, "a streamed oversize body")
        .await;

    // A form within the envelope allowance whose file is over the limit: counted while
    // streaming too.
    let form = app
        .upload_form(owner, id, &a.wav[..3 * LIMIT as usize], "long.wav", None)
        .await;
    assert_eq!(
        form.status,
        StatusCode::PAYLOAD_TOO_LARGE,
        "{:?}",
        form.body
    );
    app.assert_no_recording(owner, id, "an oversize multipart body")
        .await;

    // Under the limit still works.
    let short = audio("Hi.");
    assert!((short.mp3.len() as u64) < LIMIT);
    let ok = app.upload(owner, id, &short.mp3, "audio/mpeg").await;
    assert_eq!(ok.status, StatusCode::CREATED, "{:?}", ok.body);
}

#[tokio::test]
async fn a_client_that_goes_away_mid_upload_leaves_nothing_behind() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let m = app.meeting(owner, "Flaky link", &[]).await;
    let id = m["id"].as_str().unwrap().to_string();
    let a = audio("The connection drops half way through this upload.");

    let (tx, rx) = futures::channel::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    let request = app
        .upload_request(owner, &id, "")
        .header("content-type", "audio/wav")
        .body(reqwest::Body::wrap_stream(rx))
        .send();
    let sender = async move {
        let mut tx = tx;
        use futures::SinkExt;
        // The sends fail only if the server already answered; the assertions below tell.
        let _ = tx.send(Ok(a.wav[..a.wav.len() / 2].to_vec())).await;
        // Let the server write the first half before the client fails.
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
        let _ = tx.send(Err(std::io::Error::other("link lost"))).await;
    };
    let (res, ()) = tokio::join!(request, sender);
    assert!(res.is_err(), "the client aborted the request: {res:?}");
    assert!(
        app.recordings_dir.join(&id).is_dir(),
        "the upload had started streaming to disk"
    );
    app.eventually("the partial file to be removed", || async {
        app.files_of(&id).is_empty()
    })
    .await;
    app.assert_no_recording(owner, &id, "a client that went away")
        .await;
}

#[tokio::test]
async fn only_participants_upload_and_only_as_participants() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let guest = app.given_user("Guest", "guest@example.com").await;
    let outsider = app.given_user("Outsider", "outsider@example.com").await;
    let m = app.meeting(owner, "Private", &[guest]).await;
    let id = m["id"].as_str().unwrap();
    let a = audio("Nobody else may add to this.");

    let res = app.upload(outsider, id, &a.wav, "audio/wav").await;
    assert_eq!(
        res.status,
        StatusCode::NOT_FOUND,
        "existence is not revealed"
    );
    let res = app.recordings(outsider, id).await;
    assert_eq!(res.status, StatusCode::NOT_FOUND);

    // The owner may name any participant, but not an outsider.
    let query = format!("?participantId={outsider}");
    let res = app.upload_as(owner, id, &a.wav, "audio/wav", &query).await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        res.body
    );
    assert_eq!(res.body["code"], "not_a_participant");
    assert!(res.detail().contains(&outsider.to_string()));

    let res = app
        .upload_form(owner, id, &a.wav, "a.wav", Some(outsider))
        .await;
    assert_eq!(
        res.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        res.body
    );
    assert_eq!(res.body["code"], "not_a_participant");

    // The query and the form must agree on the speaker.
    let res = app
        .upload_request(owner, id, &format!("?participantId={guest}"))
        .header(
            "content-type",
            format!("multipart/form-data; boundary={BOUNDARY}"),
        )
        .body(crate::audio::form(&a.wav, "a.wav", Some(owner)))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    let res = app
        .upload_as(guest, id, &a.wav, "audio/wav", "?participantId=bob")
        .await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{:?}", res.body);
    app.assert_no_recording(owner, id, "refused speakers").await;

    app.post(&format!("/api/meetings/{id}/cancel"), owner, json!({}))
        .await;
    let res = app.upload(owner, id, &a.wav, "audio/wav").await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{:?}", res.body);
    assert_eq!(
        res.detail(),
        "meeting is CANCELLED; a cancelled meeting takes no recordings"
    );
    app.assert_no_recording(owner, id, "a cancelled meeting")
        .await;
}

#[tokio::test]
async fn meeting_ended_carries_the_recordings_and_later_ones_are_announced() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let guest = app.given_user("Guest", "guest@example.com").await;
    let m = app.meeting(owner, "Planning", &[guest]).await;
    let id = m["id"].as_str().unwrap();
    let a = audio("We plan the next release together.");
    app.post(&format!("/api/meetings/{id}/start"), owner, json!({}))
        .await;
    let first = app.upload(owner, id, &a.wav, "audio/wav").await;
    let second = app.upload(guest, id, &a.mp3, "audio/mpeg").await;
    assert_eq!(second.status, StatusCode::CREATED, "{:?}", second.body);
    let end = app
        .post(&format!("/api/meetings/{id}/end"), owner, json!({}))
        .await;
    assert_eq!(end.body["status"], "ENDED");

    let events = app.events(3).await;
    assert_eq!(events[2].kind, MEETING_ENDED);
    let ended: MeetingEnded = events[2].data_as().unwrap();
    assert_eq!(ended.recordings.len(), 2);
    for (r, upload, who, bytes) in [
        (&ended.recordings[0], &first, owner, &a.wav),
        (&ended.recordings[1], &second, guest, &a.mp3),
    ] {
        assert_eq!(
            r.recording_id.to_string(),
            upload.body["id"].as_str().unwrap()
        );
        assert_eq!(r.participant_id, Some(who));
        assert_eq!(r.sha256, sha256(bytes));
        assert_eq!(r.size_bytes, bytes.len() as u64);
        assert_eq!(r.format, upload.body["format"].as_str().unwrap());
        assert_eq!(r.duration_ms, upload.body["durationMs"].as_u64().unwrap());
        let path = r.url.strip_prefix("file://").expect("a file:// URL");
        assert!(Path::new(path).is_absolute(), "{path}");
        assert_eq!(
            &std::fs::read(path).unwrap(),
            bytes,
            "the URL names the file"
        );
    }
    assert_eq!(
        ended.audio_file_url.as_ref(),
        Some(&ended.recordings[0].url)
    );

    // A late upload is announced with every recording so far.
    let late = app.upload(guest, id, &a.wav, "audio/wav").await;
    assert_eq!(late.status, StatusCode::CREATED, "{:?}", late.body);
    let added = app.events(1).await;
    assert_eq!(added[0].kind, MEETING_RECORDING_ADDED);
    assert_eq!(added[0].subject.as_deref(), Some(id));
    let payload: MeetingEnded = added[0].data_as().unwrap();
    assert_eq!(payload.recordings.len(), 3);
    assert_eq!(
        payload.recordings[2].recording_id.to_string(),
        late.body["id"].as_str().unwrap()
    );
    assert_eq!(payload.audio_file_url, ended.audio_file_url);
    assert_eq!(payload.end_time, ended.end_time);
}

#[tokio::test]
async fn participants_play_a_recording_by_byte_ranges_and_nobody_else_does() {
    let app = spawn_app().await;
    let owner = app.given_user("Owner", "owner@example.com").await;
    let guest = app.given_user("Guest", "guest@example.com").await;
    let outsider = app.given_user("Outsider", "outsider@example.com").await;
    let m = app.meeting(owner, "Standup", &[guest]).await;
    let id = m["id"].as_str().unwrap();
    let a = audio("Good morning everyone, let us start the standup.");
    let uploaded = app.upload(owner, id, &a.mp3, "audio/mpeg").await;
    let rid = uploaded.body["id"].as_str().unwrap();
    let path = format!("/api/meetings/{id}/recordings/{rid}/audio");
    let get = |user: Uuid, range: Option<&str>| {
        let mut req = app
            .client
            .get(app.url(&path))
            .header(quorum_test_support::service::USER_HEADER, user.to_string());
        if let Some(range) = range {
            req = req.header("range", range);
        }
        req.send()
    };

    let whole = get(guest, None).await.unwrap();
    assert_eq!(whole.status(), StatusCode::OK);
    assert_eq!(whole.headers()["content-type"], "audio/mpeg");
    assert_eq!(whole.headers()["accept-ranges"], "bytes");
    assert_eq!(whole.bytes().await.unwrap(), a.mp3);

    // A player seeking: the bytes asked for, and where they sit in the file.
    let part = get(guest, Some("bytes=100-199")).await.unwrap();
    assert_eq!(part.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(
        part.headers()["content-range"],
        format!("bytes 100-199/{}", a.mp3.len())
    );
    assert_eq!(part.bytes().await.unwrap(), a.mp3[100..200]);
    let tail = get(owner, Some("bytes=-50")).await.unwrap();
    assert_eq!(tail.status(), StatusCode::PARTIAL_CONTENT);
    assert_eq!(tail.bytes().await.unwrap(), a.mp3[a.mp3.len() - 50..]);
    let beyond = get(owner, Some(&format!("bytes={}-", a.mp3.len() + 10)))
        .await
        .unwrap();
    assert_eq!(beyond.status(), StatusCode::RANGE_NOT_SATISFIABLE);

    // Outsiders learn nothing; an unknown recording is 404 too.
    assert_eq!(
        get(outsider, None).await.unwrap().status(),
        StatusCode::NOT_FOUND
    );
    let unknown = app
        .get(
            &format!("/api/meetings/{id}/recordings/{}/audio", Uuid::now_v7()),
            owner,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let bad = app
        .get(&format!("/api/meetings/{id}/recordings/nope/audio"), owner)
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
}
