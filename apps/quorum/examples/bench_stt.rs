//! Transcribes one audio file the way Quorum's transcript service does — decode, resample to
//! 16 kHz mono, cut at pauses, transcribe the chunks on `workers` concurrent workers (one
//! model replica each, `threads` CPU threads each) — and prints the timings and the text as
//! JSON. Used by `bench/stt.sh` against faster-whisper on the same file and model.
//!
//!   cargo run --release --features whisper --example bench_stt -- MODEL_DIR FILE WORKERS THREADS BEAM

#![allow(clippy::restriction)] // a measuring tool: prints its figures, stops on a failed step

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Instant;

use quorum_whisper::{ComputeType, ModelOptions, WhisperModel};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    assert!(
        args.len() == 6,
        "usage: bench_stt MODEL_DIR FILE WORKERS THREADS BEAM"
    );
    let workers: usize = args[3].parse().expect("WORKERS");
    let threads: usize = args[4].parse().expect("THREADS");
    let beam: usize = args[5].parse().expect("BEAM");

    let load = Instant::now();
    let model = Arc::new(
        WhisperModel::load(&ModelOptions {
            model_dir: args[1].clone().into(),
            compute_type: ComputeType::Auto,
            threads_per_replica: threads,
            replicas: workers,
            beam_size: beam,
        })
        .expect("model loads"),
    );
    let load_s = load.elapsed().as_secs_f64();

    let start = Instant::now();
    let pcm = quorum_audio::decode_16k_mono(std::path::Path::new(&args[2])).expect("decodes");
    // The transcript service's defaults (`transcript.chunking`); PACK_MS=0 sends one chunk
    // per pause.
    let pack_ms = std::env::var("PACK_MS").map_or(28_000, |v| v.parse().expect("PACK_MS"));
    let spans = quorum_audio::split_on_silence(
        &pcm.samples,
        pcm.sample_rate,
        &quorum_audio::VadOptions::default(),
    );
    let spans = quorum_audio::pack_spans(&spans, pcm.sample_rate, pack_ms, 3_000);
    let prepare_s = start.elapsed().as_secs_f64();
    let samples = Arc::new(pcm.samples);
    let spans = Arc::new(spans);
    let next = Arc::new(AtomicUsize::new(0));
    let mut texts = vec![String::new(); spans.len()];
    let handles: Vec<_> = (0..workers)
        .map(|_| {
            let (model, samples, spans, next) =
                (model.clone(), samples.clone(), spans.clone(), next.clone());
            std::thread::spawn(move || {
                let mut out = Vec::new();
                loop {
                    let i = next.fetch_add(1, Ordering::SeqCst);
                    let Some(span) = spans.get(i) else { break };
                    let t = model
                        .transcribe(&samples[span.start..span.end], None)
                        .expect("transcribes");
                    out.push((i, t.text()));
                }
                out
            })
        })
        .collect();
    for h in handles {
        for (i, text) in h.join().expect("worker") {
            texts[i] = text;
        }
    }
    let total_s = start.elapsed().as_secs_f64();
    #[allow(clippy::cast_precision_loss)]
    let audio_s = samples.len() as f64 / f64::from(pcm.sample_rate);
    let report = serde_json::json!({
        "engine": "quorum",
        "workers": workers,
        "threads": threads,
        "beam": beam,
        "chunks": spans.len(),
        "pack_ms": pack_ms,
        "audio_s": audio_s,
        "load_s": load_s,
        "prepare_s": prepare_s,
        "transcribe_s": total_s,
        "rtf": total_s / audio_s,
        "text": texts.join(" "),
    });
    println!("{report}");
}
