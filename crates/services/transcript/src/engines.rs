//! Choosing the speech-to-text engine from `transcript.stt`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use async_trait::async_trait;

use crate::settings::{EngineKind, SttSettings};
use crate::stt::{AudioChunk, SpeechToText, SttError, SttOutput, Unconfigured};

/// An engine that is configured but cannot run (a model that is not installed, a build
/// without local Whisper): recordings wait, readiness says why.
pub struct NotReady {
    name: &'static str,
    reason: String,
}

#[async_trait]
impl SpeechToText for NotReady {
    fn name(&self) -> &str {
        self.name
    }

    fn configured(&self) -> bool {
        false
    }

    async fn ready(&self) -> Result<(), SttError> {
        Err(SttError::NotConfigured(self.reason.clone()))
    }

    async fn transcribe(&self, _chunk: AudioChunk) -> Result<SttOutput, SttError> {
        Err(SttError::NotConfigured(self.reason.clone()))
    }
}

/// The Whisper model directory the settings point at: `model_dir`, else
/// `<models_root>/<model>`.
pub fn whisper_model_dir(settings: &SttSettings, models_root: &Path) -> PathBuf {
    settings
        .whisper
        .model_dir
        .clone()
        .unwrap_or_else(|| models_root.join(&settings.whisper.model))
}

/// The engine `settings` ask for. `models_root` is where `quorum models install` puts
/// models (`<data.dir>/models`); `workers` is how many chunks run at once. An engine that
/// cannot start is returned as one that is not ready (the service still starts); only
/// settings that can never work are errors.
pub fn from_settings(
    settings: &SttSettings,
    models_root: &Path,
    workers: usize,
) -> Result<Arc<dyn SpeechToText>, String> {
    let dir = whisper_model_dir(settings, models_root);
    match settings.engine {
        EngineKind::None => Ok(Arc::new(Unconfigured)),
        EngineKind::Openai => Ok(Arc::new(crate::openai::OpenAiStt::new(&settings.openai)?)),
        EngineKind::Whisper => Ok(local_whisper(settings, &dir, workers)),
        EngineKind::Auto if cfg!(feature = "whisper") && dir.join("model.bin").is_file() => {
            Ok(local_whisper(settings, &dir, workers))
        }
        EngineKind::Auto => Ok(Arc::new(Unconfigured)),
    }
}

#[cfg(feature = "whisper")]
fn local_whisper(settings: &SttSettings, dir: &Path, workers: usize) -> Arc<dyn SpeechToText> {
    match crate::whisper::LocalWhisper::load(settings, dir, workers) {
        Ok(engine) => Arc::new(engine),
        Err(reason) => {
            tracing::warn!(model = %dir.display(), %reason, "local Whisper is not ready");
            Arc::new(NotReady {
                name: "whisper",
                reason,
            })
        }
    }
}

#[cfg(not(feature = "whisper"))]
fn local_whisper(_settings: &SttSettings, _dir: &Path, _workers: usize) -> Arc<dyn SpeechToText> {
    Arc::new(NotReady {
        name: "whisper",
        reason: "this build of Quorum has no local Whisper engine: build it with \
                 `cargo build --release --features whisper` (needs cmake), or use \
                 `transcript.stt.engine = \"openai\"`"
            .into(),
    })
}
