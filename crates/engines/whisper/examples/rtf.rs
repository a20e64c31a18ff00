//! Real-time factor of a model on ~60 s of espeak-ng meeting speech cut into
//! ≤ 28 s chunks, across precision, threads and beam size.
//!
//! `cargo run -p quorum-whisper --release --example rtf -- [model] [repeats]`
//! (model: `tiny.en` by default; installed into the test model cache).

#![allow(clippy::restriction)] // a measuring tool: prints its figures, stops on a failed step

use std::process::Command;
use std::time::Instant;

use quorum_whisper::{ComputeType, ModelOptions, WhisperModel};

const SENTENCES: &[&str] = &[
    "Good morning everyone, let's start the weekly planning meeting.",
    "The marketing team will send the budget report by Friday.",
    "Can we move the product launch to the end of next month?",
    "Please add a follow up task for Sarah to review the contract.",
    "Does anyone have questions before we close the meeting?",
];

fn speak(voice: &str, text: &str) -> Vec<f32> {
    let dir = tempfile::tempdir().expect("temp dir");
    let (raw, wav) = (dir.path().join("raw.wav"), dir.path().join("16k.wav"));
    let ok = Command::new("espeak-ng")
        .args(["-v", voice, "-w"])
        .arg(&raw)
        .arg(text)
        .status();
    assert!(ok.expect("espeak-ng").success());
    let ok = Command::new("sox")
        .arg(&raw)
        .args(["-r", "16000", "-c", "1", "-b", "16"])
        .arg(&wav)
        .status();
    assert!(ok.expect("sox").success());
    let mut reader = hound::WavReader::open(&wav).expect("wav");
    reader
        .samples::<i16>()
        .map(|s| f32::from(s.expect("sample")) / 32_768.0)
        .collect()
}

/// Sentences in rotating voices until `seconds`, packed into chunks of ≤ 28 s.
fn chunks(seconds: usize) -> Vec<Vec<f32>> {
    let voices = ["en-us", "en-gb", "en-us+f3", "en-029"];
    let (mut chunks, mut current, mut total) = (Vec::new(), Vec::new(), 0);
    for i in 0.. {
        if total >= seconds * 16_000 {
            break;
        }
        let mut s = speak(
            voices[i / SENTENCES.len() % voices.len()],
            SENTENCES[i % SENTENCES.len()],
        );
        s.extend(std::iter::repeat_n(0.0, 6_400));
        total += s.len();
        if current.len() + s.len() > 28 * 16_000 {
            chunks.push(std::mem::take(&mut current));
        }
        current.extend(s);
    }
    chunks.push(current);
    chunks
}

fn main() {
    let mut args = std::env::args().skip(1);
    let name = args.next().unwrap_or_else(|| "tiny.en".into());
    let repeats: usize = args.next().and_then(|r| r.parse().ok()).unwrap_or(2);
    let dir = quorum_whisper::model_dir_for_tests(&name).expect("install the model");
    let chunks = chunks(60);
    let audio_s = chunks.iter().map(Vec::len).sum::<usize>() as f64 / 16_000.0;
    println!(
        "model {name}: {audio_s:.1} s of speech in {} chunks; best of {repeats} runs",
        chunks.len()
    );
    println!(
        "{:<8} {:>7} {:>4} {:>9} {:>7}",
        "compute", "threads", "beam", "seconds", "RTF"
    );
    for compute_type in [ComputeType::Int8, ComputeType::Float32] {
        for threads in [1, 2] {
            for beam in [1, 5] {
                let options = ModelOptions {
                    compute_type,
                    threads_per_replica: threads,
                    replicas: 1,
                    beam_size: beam,
                    ..ModelOptions::new(&dir)
                };
                let model = WhisperModel::load(&options).expect("load");
                let best = (0..repeats)
                    .map(|_| {
                        let start = Instant::now();
                        for chunk in &chunks {
                            model.transcribe(chunk, None).expect("transcribe");
                        }
                        start.elapsed().as_secs_f64()
                    })
                    .fold(f64::INFINITY, f64::min);
                println!(
                    "{:<8} {threads:>7} {beam:>4} {best:>9.2} {:>7.3}",
                    format!("{compute_type:?}"),
                    best / audio_s
                );
            }
        }
    }
}
