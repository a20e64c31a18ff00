//! Real audio made with espeak-ng and sox, and helpers to upload it (raw or multipart), list
//! it and look at the recordings directory.

use std::path::{Path, PathBuf};
use std::process::Command;

use reqwest::StatusCode;
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::helpers::{Resp, TestApp};

pub(crate) const BOUNDARY: &str = "quorum-test-boundary-7d1f";

/// Speech as WAV and MP3, with their durations in milliseconds (as sox measures them).
pub(crate) struct Audio {
    pub(crate) wav: Vec<u8>,
    pub(crate) wav_ms: u64,
    pub(crate) mp3: Vec<u8>,
    pub(crate) mp3_ms: u64,
    _dir: tempfile::TempDir,
}

pub(crate) fn audio(text: &str) -> Audio {
    let dir = tempfile::tempdir().unwrap();
    let wav = dir.path().join("a.wav");
    let mp3 = dir.path().join("a.mp3");
    run(Command::new("espeak-ng").arg("-w").arg(&wav).arg(text));
    run(Command::new("sox").arg(&wav).arg(&mp3));
    Audio {
        wav: std::fs::read(&wav).unwrap(),
        wav_ms: duration_ms(&wav),
        mp3: std::fs::read(&mp3).unwrap(),
        mp3_ms: duration_ms(&mp3),
        _dir: dir,
    }
}

fn run(cmd: &mut Command) -> String {
    let out = cmd.output().unwrap_or_else(|e| panic!("{cmd:?}: {e}"));
    assert!(out.status.success(), "{cmd:?}: {out:?}");
    String::from_utf8(out.stdout).unwrap()
}

fn duration_ms(path: &Path) -> u64 {
    let secs: f64 = run(Command::new("soxi").arg("-D").arg(path))
        .trim()
        .parse()
        .unwrap();
    (secs * 1000.0).round() as u64
}

pub(crate) fn sha256(bytes: &[u8]) -> String {
    format!("{:x}", Sha256::digest(bytes))
}

/// A `multipart/form-data` body: an optional `participantId` field, then `file`.
pub(crate) fn form(file: &[u8], filename: &str, participant: Option<Uuid>) -> Vec<u8> {
    let mut body = Vec::new();
    if let Some(p) = participant {
        body.extend_from_slice(
            format!(
                "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"participantId\"\r\n\r\n{p}\r\n"
            )
            .as_bytes(),
        );
    }
    body.extend_from_slice(
        format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{filename}\"\r\n\
             Content-Type: application/octet-stream\r\n\r\n"
        )
        .as_bytes(),
    );
    body.extend_from_slice(file);
    body.extend_from_slice(format!("\r\n--{BOUNDARY}--\r\n").as_bytes());
    body
}

pub(crate) async fn into_resp(res: reqwest::Response) -> Resp {
    let status = res.status();
    let headers = res.headers().clone();
    let bytes = res.bytes().await.unwrap();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Resp {
        status,
        headers,
        body,
    }
}

impl TestApp {
    pub(crate) fn upload_request(
        &self,
        user: Uuid,
        meeting: &str,
        query: &str,
    ) -> reqwest::RequestBuilder {
        self.client
            .post(self.url(&format!("/api/meetings/{meeting}/recording{query}")))
            .header(quorum_web::USER_HEADER, user.to_string())
    }

    /// The audio as the raw body.
    pub(crate) async fn upload(
        &self,
        user: Uuid,
        meeting: &str,
        bytes: &[u8],
        content_type: &str,
    ) -> Resp {
        self.upload_as(user, meeting, bytes, content_type, "").await
    }

    pub(crate) async fn upload_as(
        &self,
        user: Uuid,
        meeting: &str,
        bytes: &[u8],
        content_type: &str,
        query: &str,
    ) -> Resp {
        let res = self
            .upload_request(user, meeting, query)
            .header("content-type", content_type)
            .body(bytes.to_vec())
            .send()
            .await
            .unwrap();
        into_resp(res).await
    }

    /// The audio as a multipart form.
    pub(crate) async fn upload_form(
        &self,
        user: Uuid,
        meeting: &str,
        bytes: &[u8],
        filename: &str,
        participant: Option<Uuid>,
    ) -> Resp {
        let res = self
            .upload_request(user, meeting, "")
            .header(
                "content-type",
                format!("multipart/form-data; boundary={BOUNDARY}"),
            )
            .body(form(bytes, filename, participant))
            .send()
            .await
            .unwrap();
        into_resp(res).await
    }

    pub(crate) async fn recordings(&self, user: Uuid, meeting: &str) -> Resp {
        self.get(&format!("/api/meetings/{meeting}/recordings"), user)
            .await
    }

    /// Every file under the meeting's recordings directory.
    pub(crate) fn files_of(&self, meeting: &str) -> Vec<PathBuf> {
        match std::fs::read_dir(self.recordings_dir.join(meeting)) {
            Ok(dir) => dir.map(|e| e.unwrap().path()).collect(),
            Err(_) => Vec::new(),
        }
    }

    /// Asserts the meeting has no recording: no file on disk, none listed.
    pub(crate) async fn assert_no_recording(&self, user: Uuid, meeting: &str, after: &str) {
        let files = self.files_of(meeting);
        assert!(files.is_empty(), "after {after}: files left {files:?}");
        let list = self.recordings(user, meeting).await;
        assert_eq!(list.status, StatusCode::OK);
        assert_eq!(list.body["total"], 0, "after {after}: {:?}", list.body);
    }
}
