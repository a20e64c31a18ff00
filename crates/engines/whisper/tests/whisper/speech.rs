//! Test speech: espeak-ng renders text, sox resamples to 16 kHz mono 16-bit,
//! hound reads it back. Plus a word error rate to score transcripts.

use std::path::Path;
use std::process::Command;

use quorum_whisper::{ComputeType, ModelOptions, WhisperModel};

/// Meeting-like sentences without digits (espeak says "two", Whisper writes "2").
pub(crate) const SENTENCES: &[&str] = &[
    "Good morning everyone, let's start the weekly planning meeting.",
    "The marketing team will send the budget report by Friday.",
    "Can we move the product launch to the end of next month?",
    "Please add a follow up task for Sarah to review the contract.",
    "Does anyone have questions before we close the meeting?",
];

/// Speaks `text` with espeak-ng `voice` and returns 16 kHz mono samples in [-1, 1].
pub(crate) fn speak(voice: &str, text: &str) -> Vec<f32> {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw.wav");
    let wav = dir.path().join("16k.wav");
    run(Command::new("espeak-ng")
        .args(["-v", voice, "-w"])
        .arg(&raw)
        .arg(text));
    run(Command::new("sox")
        .arg(&raw)
        .args(["-r", "16000", "-c", "1", "-b", "16"])
        .arg(&wav));
    read_wav(&wav)
}

fn run(cmd: &mut Command) {
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("cannot run {cmd:?}: {e}"));
    assert!(
        out.status.success(),
        "{cmd:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn read_wav(path: &Path) -> Vec<f32> {
    let mut reader = hound::WavReader::open(path).unwrap();
    assert_eq!(reader.spec().sample_rate, 16_000);
    assert_eq!(reader.spec().channels, 1);
    reader
        .samples::<i16>()
        .map(|s| f32::from(s.unwrap()) / 32_768.0)
        .collect()
}

/// Sentences spoken one after another with `gap_ms` of silence between them.
pub(crate) fn speak_all(voice: &str, sentences: &[&str], gap_ms: usize) -> Vec<f32> {
    let mut out = Vec::new();
    for s in sentences {
        out.extend(speak(voice, s));
        out.extend(std::iter::repeat_n(0.0, gap_ms * 16));
    }
    out
}

fn words(text: &str) -> Vec<String> {
    text.to_lowercase()
        .replace('\'', "")
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Word error rate: word-level Levenshtein distance over the reference length,
/// after lower-casing and dropping punctuation.
pub(crate) fn wer(reference: &str, hypothesis: &str) -> f64 {
    let (r, h) = (words(reference), words(hypothesis));
    let mut prev: Vec<usize> = (0..=h.len()).collect();
    for (i, rw) in r.iter().enumerate() {
        let mut cur = vec![i + 1; h.len() + 1];
        for (j, hw) in h.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(rw != hw))
                .min(prev[j + 1] + 1)
                .min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[h.len()] as f64 / r.len().max(1) as f64
}

pub(crate) fn load(name: &str, beam_size: usize) -> WhisperModel {
    let dir = quorum_whisper::model_dir_for_tests(name).expect("install the test model");
    let options = ModelOptions {
        beam_size,
        compute_type: ComputeType::Auto,
        ..ModelOptions::new(dir)
    };
    WhisperModel::load(&options).expect("load the test model")
}

#[test]
fn wer_counts_substitutions_insertions_and_deletions() {
    assert_eq!(wer("Let's start, Sarah.", "lets START sarah"), 0.0);
    assert_eq!(wer("a b c d", "a x c d"), 0.25);
    assert_eq!(wer("a b c d", "a b c d e f"), 0.5);
    assert_eq!(wer("a b c d", "b c"), 0.5);
    assert_eq!(wer("a b", ""), 1.0);
}
