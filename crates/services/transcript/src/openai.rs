//! A client for any OpenAI-compatible `/v1/audio/transcriptions` server (whisper.cpp's
//! server, faster-whisper-server, vLLM, hosted APIs): each chunk is posted as a 16 kHz WAV
//! with `response_format=verbose_json`, so segments keep their times (a server that answers
//! plain `{text}` gives one segment spanning the chunk). Every request has a timeout; timeouts,
//! 429 and 5xx are retried with jittered backoff; a circuit breaker stops hammering a server
//! that keeps failing (calls then fail fast as unavailable, and the chunk is redelivered
//! later).

use std::time::Duration;

use async_trait::async_trait;
use quorum_resilience::{BreakerConfig, BreakerError, CircuitBreaker, RetryPolicy};
use reqwest::multipart::{Form, Part};
use reqwest::StatusCode;
use serde::Deserialize;

use crate::settings::OpenAiSettings;
use crate::stt::{AudioChunk, SpeechToText, SttError, SttOutput, SttSegment};

pub struct OpenAiStt {
    http: reqwest::Client,
    endpoint: String,
    models_url: String,
    settings: OpenAiSettings,
    retry: RetryPolicy,
    breaker: CircuitBreaker,
}

impl OpenAiStt {
    pub fn new(settings: &OpenAiSettings) -> Result<Self, String> {
        let base = settings.url.trim().trim_end_matches('/');
        if !(base.starts_with("http://") || base.starts_with("https://")) {
            return Err(format!(
                "`transcript.stt.openai.url` must be an http(s) URL (got {base:?})"
            ));
        }
        let v1 = if base.ends_with("/v1") {
            base.to_string()
        } else {
            format!("{base}/v1")
        };
        let timeout = Duration::from_secs(settings.timeout_secs);
        let http = reqwest::Client::builder()
            .timeout(timeout)
            .connect_timeout(Duration::from_secs(5))
            .build()
            .map_err(|e| e.to_string())?;
        let failures = usize::try_from(settings.breaker_failures.max(1)).unwrap_or(5);
        let breaker = CircuitBreaker::new(
            "stt-openai",
            BreakerConfig {
                window_size: failures,
                minimum_calls: failures,
                failure_rate_threshold: 1.0,
                slow_call_rate_threshold: 1.0,
                slow_call_duration: timeout,
                open_wait: Duration::from_secs(settings.breaker_open_secs),
                half_open_calls: 1,
            },
        );
        Ok(Self {
            http,
            endpoint: format!("{v1}/audio/transcriptions"),
            models_url: format!("{v1}/models"),
            settings: settings.clone(),
            retry: RetryPolicy {
                max_attempts: settings.retries + 1,
                base_delay: Duration::from_millis(250),
                max_delay: Duration::from_secs(4),
                budget: timeout.saturating_mul(settings.retries + 1),
                full_jitter: true,
            },
            breaker,
        })
    }

    fn authorized(&self, req: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
        match &self.settings.api_key {
            Some(key) if !key.expose().is_empty() => req.bearer_auth(key.expose()),
            _ => req,
        }
    }

    async fn post_once(&self, wav: &[u8], language: Option<&str>) -> Result<SttOutput, SttError> {
        let file = Part::bytes(wav.to_vec())
            .file_name("chunk.wav")
            .mime_str("audio/wav")
            .map_err(|e| SttError::InvalidAudio(e.to_string()))?;
        let mut form = Form::new()
            .part("file", file)
            .text("model", self.settings.model.clone())
            .text("response_format", "verbose_json")
            .text("temperature", "0");
        if let Some(lang) = language {
            form = form.text("language", lang.to_string());
        }
        let resp = self
            .authorized(self.http.post(&self.endpoint))
            .multipart(form)
            .send()
            .await
            .map_err(|e| SttError::Unavailable(format!("{}: {e}", self.endpoint)))?;
        let status = resp.status();
        let body = resp
            .bytes()
            .await
            .map_err(|e| SttError::Unavailable(format!("reading the answer: {e}")))?;
        if status == StatusCode::TOO_MANY_REQUESTS || status.is_server_error() {
            return Err(SttError::Unavailable(format!(
                "the server answered {status}: {}",
                snippet(&body)
            )));
        }
        if !status.is_success() {
            return Err(SttError::InvalidAudio(format!(
                "the server refused the chunk ({status}): {}",
                snippet(&body)
            )));
        }
        parse(&body)
    }
}

fn snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    text.chars().take(300).collect()
}

#[derive(Deserialize)]
struct Verbose {
    #[serde(default)]
    text: String,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    segments: Option<Vec<VerboseSegment>>,
    #[serde(default)]
    duration: Option<f64>,
}

#[derive(Deserialize)]
struct VerboseSegment {
    start: f64,
    end: f64,
    text: String,
    #[serde(default)]
    speaker: Option<String>,
}

fn ms(seconds: f64) -> u64 {
    if seconds.is_finite() && seconds > 0.0 {
        // Bounded by the chunk length (≤ 30 s), so the cast cannot truncate.
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let v = (seconds * 1000.0).round() as u64;
        v
    } else {
        0
    }
}

/// The answer as segments: `verbose_json` segments when present, else the whole `text`.
fn parse(body: &[u8]) -> Result<SttOutput, SttError> {
    let v: Verbose = serde_json::from_slice(body).map_err(|e| {
        SttError::Unavailable(format!(
            "the server's answer is not transcription JSON: {e}"
        ))
    })?;
    let language = v.language.map(|l| language_code(&l));
    let segments = match v.segments {
        Some(segs) if !segs.is_empty() => segs
            .into_iter()
            .map(|s| SttSegment {
                start_ms: ms(s.start),
                end_ms: ms(s.end),
                text: s.text.trim().to_string(),
                speaker: s.speaker,
            })
            .filter(|s| !s.text.is_empty())
            .collect(),
        _ if v.text.trim().is_empty() => Vec::new(),
        _ => vec![SttSegment {
            start_ms: 0,
            end_ms: v.duration.map_or(0, ms),
            text: v.text.trim().to_string(),
            speaker: None,
        }],
    };
    Ok(SttOutput { language, segments })
}

/// OpenAI answers language names (`english`); others answer codes (`en`).
fn language_code(raw: &str) -> String {
    match raw.to_ascii_lowercase().as_str() {
        "english" => "en".into(),
        "korean" => "ko".into(),
        other => other.to_string(),
    }
}

#[async_trait]
impl SpeechToText for OpenAiStt {
    fn name(&self) -> &str {
        "openai"
    }

    async fn ready(&self) -> Result<(), SttError> {
        let resp = self
            .authorized(self.http.get(&self.models_url))
            .timeout(Duration::from_secs(3))
            .send()
            .await
            .map_err(|e| SttError::Unavailable(format!("{}: {e}", self.models_url)))?;
        // Some servers have no /v1/models; any answer but 5xx shows the server is up.
        if resp.status().is_server_error() {
            return Err(SttError::Unavailable(format!(
                "{} answered {}",
                self.models_url,
                resp.status()
            )));
        }
        Ok(())
    }

    async fn transcribe(&self, chunk: AudioChunk) -> Result<SttOutput, SttError> {
        let wav = quorum_audio::encode_wav(&chunk.samples, AudioChunk::SAMPLE_RATE);
        let language = chunk.language.as_deref();
        let attempt = || async {
            match self
                .breaker
                .call_with(self.post_once(&wav, language), SttError::is_transient)
                .await
            {
                Ok(out) => Ok(out),
                Err(BreakerError::CircuitOpen { name }) => Err(SttError::Unavailable(format!(
                    "circuit {name} is open after repeated failures; retried later"
                ))),
                Err(BreakerError::Inner(e)) => Err(e),
            }
        };
        self.retry.retry(SttError::is_transient, attempt).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn verbose_segments_keep_their_times_and_plain_text_spans_the_chunk() {
        let out = parse(
            br#"{"text":"a b","language":"english","segments":[
                {"start":0.0,"end":1.52,"text":" Hello there. "},
                {"start":1.52,"end":3.0,"text":"  "},
                {"start":3.0,"end":4.25,"text":"Next item.","speaker":"SPEAKER_1"}]}"#,
        )
        .unwrap();
        assert_eq!(out.language.as_deref(), Some("en"));
        assert_eq!(out.segments.len(), 2);
        assert_eq!(
            (out.segments[0].start_ms, out.segments[0].end_ms),
            (0, 1520)
        );
        assert_eq!(out.segments[0].text, "Hello there.");
        assert_eq!(out.segments[1].speaker.as_deref(), Some("SPEAKER_1"));

        let plain = parse(br#"{"text":" Just text. ","duration":2.5}"#).unwrap();
        assert_eq!(plain.segments.len(), 1);
        assert_eq!(plain.segments[0].end_ms, 2500);
        assert!(parse(br#"{"text":""}"#).unwrap().segments.is_empty());
        assert!(parse(b"<html>").unwrap_err().is_transient());
    }

    #[test]
    fn the_url_must_be_http_and_v1_is_added_once() {
        let mut s = OpenAiSettings {
            url: "ftp://x".into(),
            ..OpenAiSettings::default()
        };
        assert!(OpenAiStt::new(&s).is_err());
        s.url = "http://127.0.0.1:9000/v1/".into();
        let c = OpenAiStt::new(&s).unwrap();
        assert_eq!(c.endpoint, "http://127.0.0.1:9000/v1/audio/transcriptions");
        s.url = "http://127.0.0.1:9000".into();
        let c = OpenAiStt::new(&s).unwrap();
        assert_eq!(c.endpoint, "http://127.0.0.1:9000/v1/audio/transcriptions");
    }
}
