//! Decoding one encoded chunk the way openai/whisper's `transcribe.py` does:
//! beam search first, then sampling at rising temperatures while the result looks
//! like a repetition loop (text compresses too well) or the model is unsure; a
//! confident "no speech" verdict with an unsure transcript means silence.

use std::io::Write;

use ct2rs::sys::{StorageView, Whisper, WhisperOptions};
use flate2::write::ZlibEncoder;
use flate2::Compression;

use crate::{tokens, Error};

const TEMPERATURES: [f32; 6] = [0.0, 0.2, 0.4, 0.6, 0.8, 1.0];
/// Hypotheses sampled per temperature above zero (Whisper's `best_of`).
const BEST_OF: usize = 5;
const COMPRESSION_RATIO_THRESHOLD: f64 = 2.4;
const LOGPROB_THRESHOLD: f32 = -1.0;
const NO_SPEECH_THRESHOLD: f32 = 0.6;

struct Attempt {
    tokens: Vec<String>,
    avg_logprob: f32,
    compression_ratio: f64,
}

/// The generated tokens for the chunk, or `None` when it holds no speech.
pub(crate) fn decode(
    whisper: &Whisper,
    encoded: &StorageView,
    prompt: &[String],
    beam_size: usize,
) -> Result<Option<Vec<String>>, Error> {
    let mut attempts = Vec::new();
    for temperature in TEMPERATURES {
        let options = if temperature == 0.0 {
            WhisperOptions {
                beam_size,
                ..common_options()
            }
        } else {
            WhisperOptions {
                beam_size: 1,
                num_hypotheses: BEST_OF,
                sampling_topk: 0,
                sampling_temperature: temperature,
                ..common_options()
            }
        };
        let result = whisper
            .generate(encoded, &[prompt.to_vec()], &options)
            .map_err(|e| Error::Inference(format!("{e:#}")))?
            .into_iter()
            .next()
            .ok_or_else(|| Error::Inference("no result for the chunk".into()))?;
        let no_speech_prob = result.no_speech_prob;
        let Some(attempt) = best_hypothesis(result.sequences, &result.scores) else {
            return Ok(None);
        };
        let unsure = attempt.avg_logprob < LOGPROB_THRESHOLD;
        if no_speech_prob > NO_SPEECH_THRESHOLD {
            tracing::debug!(no_speech_prob, attempt.avg_logprob, "likely no speech");
            return Ok((!unsure).then_some(attempt).and_then(accept));
        }
        if attempt.compression_ratio <= COMPRESSION_RATIO_THRESHOLD && !unsure {
            return Ok(accept(attempt));
        }
        tracing::debug!(
            temperature,
            attempt.avg_logprob,
            attempt.compression_ratio,
            "falling back"
        );
        attempts.push(attempt);
    }
    let best = attempts.into_iter().min_by(|a, b| {
        let looping = |x: &Attempt| x.compression_ratio > COMPRESSION_RATIO_THRESHOLD;
        looping(a)
            .cmp(&looping(b))
            .then(b.avg_logprob.total_cmp(&a.avg_logprob))
    });
    Ok(best.and_then(accept))
}

/// Whisper keeps a looping transcript after the last fallback; in minutes a line
/// of "1,000,000,000,…" is worse than nothing, so it is dropped.
fn accept(attempt: Attempt) -> Option<Vec<String>> {
    if attempt.compression_ratio > COMPRESSION_RATIO_THRESHOLD {
        tracing::warn!(
            attempt.compression_ratio,
            "dropping a repetitive transcript"
        );
        return None;
    }
    Some(attempt.tokens)
}

fn common_options() -> WhisperOptions {
    WhisperOptions {
        return_scores: true,
        return_no_speech_prob: true,
        ..WhisperOptions::default()
    }
}

/// CTranslate2 scores are length-normalised log probabilities, i.e. averages.
fn best_hypothesis(sequences: Vec<Vec<String>>, scores: &[f32]) -> Option<Attempt> {
    sequences
        .into_iter()
        .zip(scores.iter().copied().chain(std::iter::repeat(0.0)))
        .max_by(|a, b| a.1.total_cmp(&b.1))
        .map(|(tokens, avg_logprob)| Attempt {
            compression_ratio: compression_ratio(&tokens::text(&tokens)),
            tokens,
            avg_logprob,
        })
}

/// Bytes of text over bytes of its zlib compression; loops compress very well.
fn compression_ratio(text: &str) -> f64 {
    if text.is_empty() {
        return 0.0;
    }
    let mut encoder = ZlibEncoder::new(Vec::new(), Compression::default());
    // Writing to a Vec cannot fail.
    let compressed = encoder
        .write_all(text.as_bytes())
        .and_then(|()| encoder.finish());
    compressed.map_or(0.0, |c| text.len() as f64 / c.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::compression_ratio;

    #[test]
    fn loops_compress_far_better_than_speech() {
        let speech = "Good morning everyone, let's start the weekly planning meeting.";
        let looping = format!("1,500{}", ",000".repeat(60));
        assert!(
            compression_ratio(speech) < 2.4,
            "{}",
            compression_ratio(speech)
        );
        assert!(
            compression_ratio(&looping) > 2.4,
            "{}",
            compression_ratio(&looping)
        );
        assert_eq!(compression_ratio(""), 0.0);
    }
}
