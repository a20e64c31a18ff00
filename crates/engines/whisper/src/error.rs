use std::path::PathBuf;

/// Everything that can go wrong loading, running or installing a model.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path} is not a Whisper model directory: {reason}")]
    NotAModelDir { path: PathBuf, reason: String },

    #[error("failed to load the Whisper model in {path}: {message}")]
    Load { path: PathBuf, message: String },

    #[error("a chunk must be at most 30 s of 16 kHz audio ({max} samples), got {samples}")]
    ChunkTooLong { samples: usize, max: usize },

    #[error("model {model} cannot transcribe language {language:?}: {reason}")]
    UnsupportedLanguage {
        model: String,
        language: String,
        reason: &'static str,
    },

    #[error("Whisper inference failed: {0}")]
    Inference(String),

    #[error("unknown model {0:?}; installable models are: tiny.en, base")]
    UnknownModel(String),

    #[error("installing model {name}: {reason}")]
    Install { name: String, reason: String },

    #[error("{action} {path}: {source}")]
    Io {
        action: &'static str,
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
}

impl Error {
    pub(crate) fn io(
        action: &'static str,
        path: impl Into<PathBuf>,
    ) -> impl FnOnce(std::io::Error) -> Self {
        let path = path.into();
        move |source| Self::Io {
            action,
            path,
            source,
        }
    }
}
