//! Cutting at pauses as a stream: the same chunks as decoding in memory, byte for byte, with
//! memory that does not grow with the recording.

use quorum_audio::{
    cut_at_pauses, decode_16k_mono, encode_wav, pack_spans, split_on_silence, CutOptions, Limits,
    TARGET_RATE,
};

use crate::helpers::{Studio, PHRASE};

fn options() -> CutOptions {
    CutOptions {
        pack_ms: 5_000,
        pack_gap_ms: 1_000,
        ..CutOptions::default()
    }
}

#[test]
fn the_chunk_files_are_those_of_an_in_memory_cut() {
    let studio = Studio::new();
    let phrase = studio.speak("a.wav", PHRASE);
    let pause = studio.silence("pause.wav", 1.5);
    let short = studio.silence("short.wav", 0.3);
    let joined = studio.sox(
        &[&phrase, &short, &phrase, &pause, &phrase, &pause, &phrase],
        &["-r", "44100", "-c", "2"],
        "meeting.wav",
    );
    let spool = studio.path("spool.pcm");
    let mut names = |i: usize| studio.path(&format!("chunk-{i}.wav"));
    let cut = cut_at_pauses(&joined, Limits::default(), &options(), &spool, &mut names).unwrap();

    let pcm = decode_16k_mono(&joined).unwrap();
    let o = options();
    let spans = split_on_silence(&pcm.samples, TARGET_RATE, &o.vad);
    let spans = pack_spans(&spans, TARGET_RATE, o.pack_ms, o.pack_gap_ms);
    assert!(spans.len() >= 2, "{spans:?}");
    let ours: Vec<_> = cut.chunks.iter().map(|(span, _)| *span).collect();
    assert_eq!(ours, spans);
    for (span, path) in &cut.chunks {
        let expected = encode_wav(&pcm.samples[span.start..span.end], TARGET_RATE);
        assert!(
            std::fs::read(path).unwrap() == expected,
            "{}",
            path.display()
        );
    }
    assert_eq!(cut.probe.sample_rate, 44_100);
    assert_eq!(cut.probe.duration_ms, pcm.samples.len() as u64 / 16);
    assert!(!spool.exists(), "the spool is removed");
}

#[test]
fn a_refused_recording_leaves_no_spool() {
    let studio = Studio::new();
    let wav = studio.speak("a.wav", PHRASE);
    let spool = studio.path("spool.pcm");
    let limits = Limits {
        max_duration_ms: 1_000,
    };
    let mut names = |i: usize| studio.path(&format!("chunk-{i}.wav"));
    let err = cut_at_pauses(&wav, limits, &options(), &spool, &mut names).unwrap_err();
    assert!(
        matches!(err, quorum_audio::AudioError::TooLong { .. }),
        "{err:?}"
    );
    assert!(!spool.exists());
}

/// The peak resident memory of this process (Linux), in bytes.
fn peak_rss() -> u64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    let kb: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
    kb * 1024
}

#[test]
fn an_hour_is_cut_in_a_few_megabytes() {
    let studio = Studio::new();
    // An hour of silence at 16 kHz: 230 MB as f32 in memory, which the cut must not hold.
    let long = studio.path("hour.wav");
    let status = std::process::Command::new("sox")
        .args(["-D", "-n", "-r", "16000", "-c", "1", "-b", "16"])
        .arg(&long)
        .args(["trim", "0", "3600"])
        .status()
        .unwrap();
    assert!(status.success());
    let spool = studio.path("spool.pcm");
    let before = peak_rss();
    let mut names = |i: usize| studio.path(&format!("chunk-{i}.wav"));
    let cut = cut_at_pauses(&long, Limits::default(), &options(), &spool, &mut names).unwrap();
    assert_eq!(cut.probe.duration_ms, 3_600_000);
    assert!(cut.chunks.is_empty(), "silence has no speech");
    let grown = peak_rss().saturating_sub(before);
    assert!(
        grown < 48 << 20,
        "the cut grew the process by {} MB",
        grown >> 20
    );
}
