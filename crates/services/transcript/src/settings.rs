//! The service's settings (the `transcript` section of the process configuration).

use std::path::PathBuf;

use serde::Deserialize;

/// Bounds of `stt_workers` (seed: 3–10 transcription consumers).
pub(crate) const STT_WORKERS_MAX: usize = 10;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// Speech-to-text jobs run at once from `transcript.creation.queue` (1–10).
    pub stt_workers: usize,
    /// Chunks of one meeting on `transcript.creation.queue` at once (1–1000): meetings take
    /// turns with the workers, so a long recording cannot make the others wait for all of
    /// its chunks. A meeting alone uses at most this many workers; with several replicas,
    /// raise it to `stt_workers` × replicas.
    pub stt_window: u64,
    /// `meeting.ended` events handled at once (at least 1).
    pub meeting_consumers: usize,
    /// User events handled at once by the directory consumer (at least 1).
    pub directory_consumers: usize,
    /// Where chunk audio waits for the workers (16 kHz WAV, removed once the transcript is
    /// assembled). Every replica of the service must see the same directory. Default:
    /// `<data.dir>/stt-chunks`.
    pub chunks_dir: Option<PathBuf>,
    /// How recordings are cut into chunks at pauses.
    pub chunking: ChunkSettings,
    /// The speech-to-text engine.
    pub stt: SttSettings,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            stt_workers: 3,
            stt_window: 3,
            meeting_consumers: 2,
            directory_consumers: 2,
            chunks_dir: None,
            chunking: ChunkSettings::default(),
            stt: SttSettings::default(),
        }
    }
}

/// Voice-activity chunking (see `quorum_audio::VadOptions`).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ChunkSettings {
    /// A pause at least this long ends a chunk.
    pub min_silence_ms: u32,
    /// No chunk is longer (at most 30 000, Whisper's window).
    pub max_chunk_ms: u32,
    /// Sounds shorter than this are dropped as noise.
    pub min_speech_ms: u32,
    /// Context kept around each chunk.
    pub pad_ms: u32,
    /// Consecutive stretches of speech are packed into one chunk up to this length (at
    /// most 30 000): Whisper encodes every chunk as a 30 s window, so packing short
    /// sentences saves most of the work. 0 sends one chunk per pause.
    pub pack_ms: u32,
    /// A pause longer than this is never packed into a chunk (it starts a new one).
    pub pack_gap_ms: u32,
}

impl Default for ChunkSettings {
    fn default() -> Self {
        let v = quorum_audio::VadOptions::default();
        Self {
            min_silence_ms: v.min_silence_ms,
            max_chunk_ms: v.max_chunk_ms,
            min_speech_ms: v.min_speech_ms,
            pad_ms: v.pad_ms,
            pack_ms: 28_000,
            pack_gap_ms: 3_000,
        }
    }
}

impl ChunkSettings {
    pub(crate) fn vad(&self) -> quorum_audio::VadOptions {
        quorum_audio::VadOptions {
            min_silence_ms: self.min_silence_ms,
            max_chunk_ms: self.max_chunk_ms,
            min_speech_ms: self.min_speech_ms,
            pad_ms: self.pad_ms,
            ..quorum_audio::VadOptions::default()
        }
    }
}

/// Which engine transcribes chunks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineKind {
    /// Local Whisper when this build has it and the model is installed, else none.
    Auto,
    /// No engine: recordings wait, with a task message saying how to enable one.
    None,
    /// Local Whisper on CTranslate2 (the `whisper` cargo feature).
    Whisper,
    /// An OpenAI-compatible `/v1/audio/transcriptions` server.
    Openai,
}

/// The `transcript.stt` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SttSettings {
    pub engine: EngineKind,
    /// The language to expect (`en`, `ko`, …); unset lets a multilingual model detect it.
    pub language: Option<String>,
    pub whisper: WhisperSettings,
    pub openai: OpenAiSettings,
}

impl Default for SttSettings {
    fn default() -> Self {
        Self {
            engine: EngineKind::Auto,
            language: None,
            whisper: WhisperSettings::default(),
            openai: OpenAiSettings::default(),
        }
    }
}

/// The `transcript.stt.whisper` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WhisperSettings {
    /// The installed model to use (`quorum models install <model>`): `tiny.en` or `base`.
    pub model: String,
    /// A CTranslate2 Whisper model directory (any faster-whisper model works); overrides
    /// `model`. Default: `<data.dir>/models/<model>`.
    pub model_dir: Option<PathBuf>,
    /// `auto` (int8 where the CPU has fast int8), `int8`, `int8_float32`, `float32`.
    pub compute_type: String,
    /// CPU threads each worker's transcription uses.
    pub threads_per_worker: usize,
    /// Beam width (1 = greedy, fastest).
    pub beam_size: usize,
}

impl Default for WhisperSettings {
    fn default() -> Self {
        Self {
            model: "tiny.en".into(),
            model_dir: None,
            compute_type: "auto".into(),
            threads_per_worker: 1,
            beam_size: 5,
        }
    }
}

/// The `transcript.stt.openai` section.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct OpenAiSettings {
    /// Base URL; requests go to `<url>/v1/audio/transcriptions` (a URL already ending in
    /// `/v1` is used as is).
    pub url: String,
    /// Sent as `Authorization: Bearer …` when set.
    pub api_key: Option<quorum_service::Secret>,
    /// The `model` form field (`whisper-1`, or the server's model name).
    pub model: String,
    /// Per request.
    pub timeout_secs: u64,
    /// Retries of a failed request (timeouts, 429, 5xx) before the chunk's delivery fails.
    pub retries: u32,
    /// Consecutive failures that open the circuit breaker (requests then fail fast for
    /// `breaker_open_secs`).
    pub breaker_failures: u32,
    pub breaker_open_secs: u64,
}

impl Default for OpenAiSettings {
    fn default() -> Self {
        Self {
            url: String::new(),
            api_key: None,
            model: "whisper-1".into(),
            timeout_secs: 120,
            retries: 2,
            breaker_failures: 5,
            breaker_open_secs: 30,
        }
    }
}

impl Settings {
    /// Checks the ranges; the error names the key.
    pub(crate) fn validate(&self) -> Result<(), String> {
        if !(1..=STT_WORKERS_MAX).contains(&self.stt_workers) {
            return Err(format!(
                "`transcript.stt_workers` must be between 1 and {STT_WORKERS_MAX} (got {})",
                self.stt_workers
            ));
        }
        if !(1..=1000).contains(&self.stt_window) {
            return Err(format!(
                "`transcript.stt_window` must be between 1 and 1000 (got {})",
                self.stt_window
            ));
        }
        let c = &self.chunking;
        if !(1_000..=30_000).contains(&c.max_chunk_ms) {
            return Err(format!(
                "`transcript.chunking.max_chunk_ms` must be between 1000 and 30000 (got {})",
                c.max_chunk_ms
            ));
        }
        if c.min_silence_ms == 0 || c.min_silence_ms >= c.max_chunk_ms {
            return Err(format!(
                "`transcript.chunking.min_silence_ms` must be above 0 and below max_chunk_ms \
                 (got {})",
                c.min_silence_ms
            ));
        }
        if c.pack_ms > 30_000 {
            return Err(format!(
                "`transcript.chunking.pack_ms` must be at most 30000 (got {})",
                c.pack_ms
            ));
        }
        let stt = &self.stt;
        if stt.engine == EngineKind::Openai && stt.openai.url.trim().is_empty() {
            return Err("`transcript.stt.openai.url` must be set when \
                        `transcript.stt.engine` is \"openai\""
                .into());
        }
        if stt.whisper.beam_size == 0 || stt.whisper.threads_per_worker == 0 {
            return Err(
                "`transcript.stt.whisper.beam_size` and `threads_per_worker` must be \
                        at least 1"
                    .into(),
            );
        }
        if stt.openai.timeout_secs == 0 {
            return Err("`transcript.stt.openai.timeout_secs` must be at least 1".into());
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_and_unknown_keys_are_refused() {
        let s: Settings = serde_json::from_str("{}").unwrap();
        assert_eq!(s, Settings::default());
        assert_eq!(s.stt_workers, 3);
        let s: Settings = serde_json::from_str(r#"{"stt_workers": 10}"#).unwrap();
        assert!(s.validate().is_ok());
        let err = serde_json::from_str::<Settings>(r#"{"workers": 5}"#).unwrap_err();
        assert!(err.to_string().contains("workers"), "{err}");
    }

    #[test]
    fn worker_count_out_of_range_names_the_key() {
        let s = Settings {
            stt_workers: 11,
            ..Settings::default()
        };
        assert!(s.validate().unwrap_err().contains("transcript.stt_workers"));
        let s = Settings {
            stt_window: 0,
            ..Settings::default()
        };
        assert!(s.validate().unwrap_err().contains("transcript.stt_window"));
    }
}
