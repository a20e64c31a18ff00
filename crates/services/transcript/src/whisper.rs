//! Local Whisper (CTranslate2 through `quorum-whisper`, the `whisper` cargo feature) behind
//! the [`SpeechToText`] port. Inference is CPU work, so it runs on the blocking pool; the
//! model serves as many chunks at once as there are workers (one replica each).

use std::path::Path;
use std::sync::Arc;

use async_trait::async_trait;
use quorum_whisper::{ComputeType, ModelOptions, WhisperModel};

use crate::settings::SttSettings;
use crate::stt::{AudioChunk, SpeechToText, SttError, SttOutput, SttSegment};

pub(crate) struct LocalWhisper {
    model: Arc<WhisperModel>,
    name: String,
}

fn compute_type(raw: &str) -> Result<ComputeType, String> {
    Ok(match raw {
        "auto" => ComputeType::Auto,
        "int8" | "int8_float32" => ComputeType::Int8,
        "float32" => ComputeType::Float32,
        "default" => ComputeType::AsSaved,
        other => {
            return Err(format!(
                "`transcript.stt.whisper.compute_type` {other:?} is not one of auto, int8, \
                 int8_float32, float32, default"
            ))
        }
    })
}

impl LocalWhisper {
    pub(crate) fn load(settings: &SttSettings, dir: &Path, workers: usize) -> Result<Self, String> {
        quorum_whisper::check_model_dir(dir).map_err(|e| {
            format!(
                "{e}; install one with `quorum models install {}` or point \
                 `transcript.stt.whisper.model_dir` at a CTranslate2 (faster-whisper) model",
                settings.whisper.model
            )
        })?;
        let options = ModelOptions {
            model_dir: dir.to_path_buf(),
            compute_type: compute_type(&settings.whisper.compute_type)?,
            threads_per_replica: settings.whisper.threads_per_worker,
            replicas: workers.max(1),
            beam_size: settings.whisper.beam_size,
        };
        let model = WhisperModel::load(&options).map_err(|e| e.to_string())?;
        let name = format!("whisper/{}", model.name());
        tracing::info!(model = %dir.display(), replicas = options.replicas,
            threads = options.threads_per_replica, "local Whisper loaded");
        Ok(Self {
            model: Arc::new(model),
            name,
        })
    }
}

#[async_trait]
impl SpeechToText for LocalWhisper {
    fn name(&self) -> &str {
        &self.name
    }

    async fn ready(&self) -> Result<(), SttError> {
        Ok(())
    }

    async fn transcribe(&self, chunk: AudioChunk) -> Result<SttOutput, SttError> {
        let model = self.model.clone();
        let heard = tokio::task::spawn_blocking(move || {
            let language = chunk
                .language
                .as_deref()
                .filter(|_| model.is_multilingual());
            model.transcribe(&chunk.samples, language)
        })
        .await
        .map_err(|e| SttError::Unavailable(format!("the transcription thread failed: {e}")))?;
        let t = heard.map_err(|e| match e {
            quorum_whisper::Error::ChunkTooLong { .. }
            | quorum_whisper::Error::UnsupportedLanguage { .. } => {
                SttError::InvalidAudio(e.to_string())
            }
            other => SttError::Unavailable(other.to_string()),
        })?;
        Ok(SttOutput {
            language: Some(t.language).filter(|l| !l.is_empty()),
            segments: t
                .segments
                .into_iter()
                .map(|s| SttSegment {
                    start_ms: s.start_ms,
                    end_ms: s.end_ms,
                    text: s.text,
                    speaker: None,
                })
                .collect(),
        })
    }
}
