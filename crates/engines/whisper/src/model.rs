//! [`WhisperModel`]: one loaded model, shared by threads, one 30 s chunk per call.

use std::collections::BTreeSet;
use std::path::Path;
use std::sync::{Condvar, Mutex, PoisonError};

use ct2rs::sys::{StorageView, Whisper};
use ct2rs::{Config, Device};

use crate::mel::{MelExtractor, N_FRAMES, N_SAMPLES, SAMPLE_RATE};
use crate::{check_model_dir, decode, tokens, Error, ModelOptions, Transcription};

/// Chunks whose peak stays below -60 dBFS are silence; Whisper, given digital
/// silence, tends to answer "You".
const SILENCE_PEAK: f32 = 1e-3;

/// A loaded Whisper model. `Send + Sync`: share it behind an `Arc` and call
/// [`transcribe`](Self::transcribe) from blocking threads; at most `replicas`
/// Seed of the sampling used by the temperature fallback.
const SAMPLING_SEED: u32 = 20_260_101;

/// chunks run at once, further callers wait their turn.
pub struct WhisperModel {
    inner: Whisper,
    name: String,
    multilingual: bool,
    beam_size: usize,
    /// Language codes the vocabulary has a `<|xx|>` token for.
    languages: BTreeSet<String>,
    mel: MelExtractor,
    permits: Permits,
}

impl std::fmt::Debug for WhisperModel {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WhisperModel")
            .field("name", &self.name)
            .field("multilingual", &self.multilingual)
            .field("beam_size", &self.beam_size)
            .finish_non_exhaustive()
    }
}

impl WhisperModel {
    /// Loads the model in `options.model_dir` (see [`crate::is_model_dir`]).
    pub fn load(options: &ModelOptions) -> Result<Self, Error> {
        let dir = &options.model_dir;
        check_model_dir(dir)?;
        let replicas = options.replicas.max(1);
        // The temperature fallback samples; a fixed seed makes the same audio give the same
        // transcript from run to run (CTranslate2 seeds each thread's generator from it).
        ct2rs::sys::set_random_seed(SAMPLING_SEED);
        let config = Config {
            device: Device::CPU,
            compute_type: options.compute_type.to_ct2(),
            device_indices: vec![0; replicas],
            num_threads_per_replica: options.threads_per_replica,
            ..Config::default()
        };
        let inner = Whisper::new(dir, config).map_err(|e| Error::Load {
            path: dir.clone(),
            message: format!("{e:#}"),
        })?;
        let name = dir.file_name().map_or_else(
            || dir.display().to_string(),
            |n| n.to_string_lossy().into_owned(),
        );
        tracing::info!(model = %name, multilingual = inner.is_multilingual(), replicas, "loaded Whisper model");
        Ok(Self {
            multilingual: inner.is_multilingual(),
            mel: MelExtractor::new(inner.n_mels()),
            languages: language_tokens(dir)?,
            inner,
            name,
            beam_size: options.beam_size.max(1),
            permits: Permits::new(replicas),
        })
    }

    /// The model directory's name, e.g. `tiny.en`.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// Whether the model knows languages other than English (and can detect them).
    pub fn is_multilingual(&self) -> bool {
        self.multilingual
    }

    /// Transcribes one chunk of at most 30 s of 16 kHz mono samples in `[-1, 1]`.
    /// `language` is an ISO code such as `en`; `None` detects it (multilingual
    /// models) or means English (`.en` models). Segment times are relative to the
    /// chunk start.
    #[tracing::instrument(skip_all, fields(model = %self.name, samples = samples.len()))]
    pub fn transcribe(
        &self,
        samples: &[f32],
        language: Option<&str>,
    ) -> Result<Transcription, Error> {
        if samples.len() > N_SAMPLES {
            return Err(Error::ChunkTooLong {
                samples: samples.len(),
                max: N_SAMPLES,
            });
        }
        let requested = self.check_language(language)?;
        let chunk_ms = samples.len() as u64 * 1000 / SAMPLE_RATE as u64;
        if samples.iter().all(|s| s.abs() < SILENCE_PEAK) {
            let language = requested.unwrap_or_else(|| {
                if self.multilingual {
                    String::new()
                } else {
                    "en".into()
                }
            });
            return Ok(Transcription {
                language,
                segments: Vec::new(),
            });
        }

        let _permit = self.permits.acquire();
        let mut features = self.mel.features(samples);
        let shape = [1, features.len() / N_FRAMES, N_FRAMES];
        let view = StorageView::new(&shape, &mut features, Device::CPU).map_err(inference)?;
        let encoded = self.inner.encode(&view, false).map_err(inference)?;

        let language = match requested {
            Some(code) => code,
            None if self.multilingual => self.detect_language(&encoded)?,
            None => "en".to_owned(),
        };
        // `.en` models were trained without language and task tokens. Given
        // `<|en|><|transcribe|>` (as ct2rs's high-level API does), tiny.en returned
        // nothing at all for every test voice.
        // No `<|notimestamps|>`: the model emits timestamps, which become segments.
        let prompt = if self.multilingual {
            vec![
                "<|startoftranscript|>".to_owned(),
                format!("<|{language}|>"),
                "<|transcribe|>".to_owned(),
            ]
        } else {
            vec!["<|startoftranscript|>".to_owned()]
        };
        let segments = decode::decode(&self.inner, &encoded, &prompt, self.beam_size)?
            .map(|tokens| tokens::segments(&tokens, chunk_ms))
            .unwrap_or_default();
        Ok(Transcription { language, segments })
    }

    fn check_language(&self, language: Option<&str>) -> Result<Option<String>, Error> {
        let Some(raw) = language else { return Ok(None) };
        let code = raw.trim().to_ascii_lowercase();
        let unsupported = |reason| Error::UnsupportedLanguage {
            model: self.name.clone(),
            language: raw.to_owned(),
            reason,
        };
        if !self.multilingual {
            return if code == "en" {
                Ok(Some(code))
            } else {
                Err(unsupported("the model is English-only"))
            };
        }
        if self.languages.contains(&code) {
            Ok(Some(code))
        } else {
            Err(unsupported(
                "the model's vocabulary has no such language token",
            ))
        }
    }

    fn detect_language(&self, encoded: &StorageView) -> Result<String, Error> {
        let best = self
            .inner
            .detect_language(encoded)
            .map_err(inference)?
            .into_iter()
            .next()
            .and_then(|ranked| ranked.into_iter().next())
            .ok_or_else(|| Error::Inference("language detection gave no result".into()))?;
        let token = format!("{best:?}");
        // DetectionResult's fields are private; its Debug form carries the token.
        let code = token
            .split("<|")
            .nth(1)
            .and_then(|rest| rest.split("|>").next())
            .ok_or_else(|| Error::Inference(format!("unexpected detection result {token}")))?;
        tracing::debug!(language = code, "detected language");
        Ok(code.to_owned())
    }
}

fn inference(e: impl std::fmt::Display) -> Error {
    Error::Inference(e.to_string())
}

/// Language codes (`en`, `ko`, `yue`, …) of the `<|xx|>` tokens in the vocabulary.
fn language_tokens(dir: &Path) -> Result<BTreeSet<String>, Error> {
    let tokens: Vec<String> = if dir.join("vocabulary.json").is_file() {
        let path = dir.join("vocabulary.json");
        let bytes = std::fs::read(&path).map_err(Error::io("reading", &path))?;
        serde_json::from_slice(&bytes).map_err(|e| Error::NotAModelDir {
            path: dir.to_owned(),
            reason: format!("vocabulary.json is not a JSON list of tokens: {e}"),
        })?
    } else {
        let path = dir.join("vocabulary.txt");
        let text = std::fs::read_to_string(&path).map_err(Error::io("reading", &path))?;
        text.lines().map(str::to_owned).collect()
    };
    Ok(tokens
        .iter()
        .filter_map(|t| t.strip_prefix("<|")?.strip_suffix("|>"))
        .filter(|code| {
            (2..=3).contains(&code.len()) && code.bytes().all(|b| b.is_ascii_lowercase())
        })
        .map(str::to_owned)
        .collect())
}

/// A counting semaphore bounding concurrent transcriptions to the replica count.
struct Permits {
    free: Mutex<usize>,
    released: Condvar,
}

struct Permit<'a>(&'a Permits);

impl Permits {
    fn new(n: usize) -> Self {
        Self {
            free: Mutex::new(n),
            released: Condvar::new(),
        }
    }

    fn acquire(&self) -> Permit<'_> {
        let mut free = self.free.lock().unwrap_or_else(PoisonError::into_inner);
        while *free == 0 {
            free = self
                .released
                .wait(free)
                .unwrap_or_else(PoisonError::into_inner);
        }
        *free -= 1;
        Permit(self)
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        *self.0.free.lock().unwrap_or_else(PoisonError::into_inner) += 1;
        self.0.released.notify_one();
    }
}
