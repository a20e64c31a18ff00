//! The speech-to-text port. Engines (local Whisper, an OpenAI-compatible server) implement
//! [`SpeechToText`] for one chunk of audio at a time; until one is configured the service
//! runs with [`Unconfigured`], and recordings wait with a task message that says how to
//! enable speech-to-text.

use std::sync::Arc;

use async_trait::async_trait;
use serde::{Deserialize, Serialize};

/// One stretch of speech to transcribe: at most about 30 s (Whisper's window) of 16 kHz mono
/// samples, cut at pauses from one recording track.
#[derive(Debug, Clone)]
pub struct AudioChunk {
    /// Samples in `[-1, 1]` at [`AudioChunk::SAMPLE_RATE`].
    pub samples: Arc<[f32]>,
    /// The language to expect (`en`, `ko`, …), when the settings name one.
    pub language: Option<String>,
}

impl AudioChunk {
    pub const SAMPLE_RATE: u32 = quorum_audio::TARGET_RATE;

    /// Its length in milliseconds.
    pub fn duration_ms(&self) -> u64 {
        let n = u64::try_from(self.samples.len()).unwrap_or(u64::MAX);
        n.saturating_mul(1000) / u64::from(Self::SAMPLE_RATE)
    }
}

/// What an engine heard in one chunk.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SttOutput {
    /// The language the engine detected or was told, when it says.
    #[serde(default)]
    pub language: Option<String>,
    /// Segments with times relative to the chunk's start.
    pub segments: Vec<SttSegment>,
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
    /// Whether an engine is set up at all. Without one, recordings wait (their task says
    /// how to enable speech-to-text) instead of being sent to workers.
    fn configured(&self) -> bool {
        true
    }
    /// Whether the engine can take work (readiness).
    async fn ready(&self) -> Result<(), SttError>;
    /// The speech in one chunk, as segments in order.
    async fn transcribe(&self, chunk: AudioChunk) -> Result<SttOutput, SttError>;
}

/// The engine used when none is configured: always fails with instructions. It reports
/// ready, because the service works without it (transcripts come from the notes).
#[derive(Debug, Clone, Copy, Default)]
pub struct Unconfigured;

/// What [`Unconfigured`] answers.
pub const UNCONFIGURED_MESSAGE: &str = "speech-to-text is not configured: to transcribe \
    recordings, install a model (`quorum models install tiny.en`) and set \
    `transcript.stt.engine = \"whisper\"`, or set `transcript.stt.engine = \"openai\"` with the \
    URL of an OpenAI-compatible /v1/audio/transcriptions server; waiting recordings are \
    transcribed when the service restarts with an engine";

#[async_trait]
impl SpeechToText for Unconfigured {
    fn name(&self) -> &str {
        "unconfigured"
    }

    fn configured(&self) -> bool {
        false
    }

    async fn ready(&self) -> Result<(), SttError> {
        Ok(())
    }

    async fn transcribe(&self, _chunk: AudioChunk) -> Result<SttOutput, SttError> {
        Err(SttError::NotConfigured(UNCONFIGURED_MESSAGE.to_string()))
    }
}
