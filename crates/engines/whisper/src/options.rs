use std::path::PathBuf;

/// Numeric precision the model runs in. Weights are converted at load time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum ComputeType {
    /// The fastest type measured on CPU: int8 weights with float32 activations.
    #[default]
    Auto,
    /// 8-bit integer matrix multiplications (CTranslate2 `int8`).
    Int8,
    /// Full precision.
    Float32,
    /// Whatever precision the model file was saved in.
    AsSaved,
}

impl ComputeType {
    pub(crate) fn to_ct2(self) -> ct2rs::ComputeType {
        match self {
            // Measured with the Ruy backend on a 2-core AVX-512 x86 box, tiny.en,
            // 63 s of speech: int8 took 7.0 s against float32's 8.8 s (1 thread),
            // 10.1 s against 12.0 s (2 threads); `examples/rtf.rs` repeats it.
            Self::Auto | Self::Int8 => ct2rs::ComputeType::INT8,
            Self::Float32 => ct2rs::ComputeType::FLOAT32,
            Self::AsSaved => ct2rs::ComputeType::DEFAULT,
        }
    }
}

/// How to load and run a model.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelOptions {
    /// A CTranslate2 Whisper directory (model.bin, config.json, vocabulary).
    pub model_dir: PathBuf,
    pub compute_type: ComputeType,
    /// CPU threads each replica uses for one transcription (0: CTranslate2's default).
    pub threads_per_replica: usize,
    /// Model copies, i.e. how many chunks are transcribed at the same time.
    pub replicas: usize,
    /// 1 is greedy decoding; Whisper's reference uses 5.
    pub beam_size: usize,
}

impl ModelOptions {
    /// One replica using every core, `Auto` precision, beam size 5.
    pub fn new(model_dir: impl Into<PathBuf>) -> Self {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        Self {
            model_dir: model_dir.into(),
            compute_type: ComputeType::Auto,
            threads_per_replica: cores,
            replicas: 1,
            beam_size: 5,
        }
    }
}
