//! The speech-to-text port. Engines (local Whisper, an OpenAI-compatible server) implement
//! [`SpeechToText`]; until one is configured the service runs with [`Unconfigured`], and
//! every recording falls back to the meeting notes with a warning that says how to enable it.

use async_trait::async_trait;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The recording to transcribe.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AudioRef {
    /// Where the recording lives (`audioFileUrl` of `meeting.ended`).
    pub url: String,
    pub meeting_id: Uuid,
}

/// One recognised stretch of speech.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SttSegment {
    pub start_ms: u64,
    pub end_ms: u64,
    pub text: String,
    /// A speaker label (a diarization label such as `SPEAKER_1`, or a name), when known.
    #[serde(default)]
    pub speaker: Option<String>,
}

/// Why a transcription failed. The job is retried only when [`SttError::is_transient`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SttError {
    /// No engine is set up; the message says how to set one up.
    #[error("{0}")]
    NotConfigured(String),
    /// The engine could not be reached or was overloaded; worth retrying.
    #[error("speech-to-text engine unavailable: {0}")]
    Unavailable(String),
    /// The recording is missing, unreadable or in an unsupported format.
    #[error("the recording cannot be transcribed: {0}")]
    InvalidAudio(String),
}

impl SttError {
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Unavailable(_))
    }
}

/// A speech-to-text engine.
#[async_trait]
pub trait SpeechToText: Send + Sync + 'static {
    /// A short name for logs, task results and health output (`whisper`, `openai`, …).
    fn name(&self) -> &str;
    /// Whether the engine can take work (readiness).
    async fn ready(&self) -> Result<(), SttError>;
    /// The recording as text segments, in order.
    async fn transcribe(&self, audio: AudioRef) -> Result<Vec<SttSegment>, SttError>;
}

/// The engine used when none is configured: always fails with instructions. It reports
/// ready, because the service works without it (transcripts come from the notes).
#[derive(Debug, Clone, Copy, Default)]
pub struct Unconfigured;

/// What [`Unconfigured`] answers.
pub const UNCONFIGURED_MESSAGE: &str = "speech-to-text is not configured: to transcribe \
    recordings, configure an engine in the `transcript.stt` settings (a local Whisper model \
    directory, or the URL of an OpenAI-compatible /v1/audio/transcriptions server)";

#[async_trait]
impl SpeechToText for Unconfigured {
    fn name(&self) -> &str {
        "unconfigured"
    }

    async fn ready(&self) -> Result<(), SttError> {
        Ok(())
    }

    async fn transcribe(&self, _audio: AudioRef) -> Result<Vec<SttSegment>, SttError> {
        Err(SttError::NotConfigured(UNCONFIGURED_MESSAGE.to_string()))
    }
}
