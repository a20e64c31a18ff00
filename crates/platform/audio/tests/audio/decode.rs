use std::time::Instant;

use quorum_audio::{decode_16k_mono, TARGET_RATE};

use crate::helpers::{fixture, sox_duration_ms, Studio, PHRASE};

fn rms(samples: &[f32]) -> f32 {
    (samples.iter().map(|s| s * s).sum::<f32>() / samples.len() as f32).sqrt()
}

#[test]
fn a_44k_stereo_file_becomes_16k_mono_of_the_same_length() {
    let studio = Studio::new();
    let wav = studio.speak("speech.wav", PHRASE);
    let stereo = studio.sox(&[&wav], &["-r", "44100", "-c", "2"], "stereo.wav");
    let frames = std::fs::metadata(&stereo).unwrap().len().saturating_sub(44) / 4;

    let pcm = decode_16k_mono(&stereo).unwrap();
    assert_eq!(pcm.sample_rate, TARGET_RATE);
    let expected = (frames * 16_000).div_ceil(44_100) as usize;
    assert!(
        pcm.samples.len().abs_diff(expected) <= 1,
        "{} vs {expected}",
        pcm.samples.len()
    );
    assert!(pcm.samples.iter().all(|s| (-1.0..=1.0).contains(s)));
    // Speech, not silence, and at the level sox resamples it to.
    let reference = studio.sox(&[&wav], &["-r", "16000"], "reference.wav");
    let reference = quorum_audio::read_wav(&reference).unwrap();
    let (ours, theirs) = (rms(&pcm.samples), rms(&reference.samples));
    assert!(
        (ours / theirs - 1.0).abs() < 0.05,
        "rms {ours} vs sox {theirs}"
    );
}

#[test]
fn every_format_decodes_to_16k() {
    let studio = Studio::new();
    let wav = studio.speak("speech.wav", PHRASE);
    let expected_ms = sox_duration_ms(&wav) as f64;
    let files = [
        studio.sox(&[&wav], &[], "speech.flac"),
        studio.sox(&[&wav], &["-C", "128"], "speech.mp3"),
        studio.sox(&[&wav], &[], "speech.ogg"),
        studio.sox(&[&wav], &["-r", "16000"], "speech16k.wav"),
    ];
    for path in files {
        let pcm = decode_16k_mono(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        let ms = pcm.samples.len() as f64 / 16.0;
        assert!(
            (ms / expected_ms - 1.0).abs() < 0.05,
            "{}: {ms} ms",
            path.display()
        );
        assert!(rms(&pcm.samples) > 0.01, "{} is silent", path.display());
    }
    for name in ["speech.m4a", "speech.webm", "speech.opus"] {
        let pcm = decode_16k_mono(&fixture(name)).unwrap_or_else(|err| panic!("{name}: {err}"));
        let ms = pcm.samples.len() as f64 / 16.0;
        assert!((ms / 3_641.0 - 1.0).abs() < 0.05, "{name}: {ms} ms");
        assert!(rms(&pcm.samples) > 0.01, "{name} is silent");
    }
}

/// A 3-minute 44.1 kHz stereo recording, in release mode:
/// `cargo test -p quorum-audio --release --test audio -- --ignored --nocapture decode_speed`.
#[test]
#[ignore = "a timing, for release builds"]
fn decode_speed() {
    let studio = Studio::new();
    let wav = studio.speak("speech.wav", PHRASE);
    let long = studio.sox(&[&wav], &["-r", "44100", "-c", "2"], "stereo.wav");
    // 3 minutes: the phrase repeated.
    let repeats = (180_000 / sox_duration_ms(&wav)).to_string();
    let long = studio.sox_effects(&long, "long.wav", &["repeat", &repeats]);
    let mp3 = studio.sox(&[&long], &["-C", "128"], "long.mp3");
    let flac = studio.sox(&[&long], &[], "long.flac");
    for path in [long, flac, mp3] {
        let started = Instant::now();
        let pcm = decode_16k_mono(&path).unwrap();
        println!(
            "{}: {:.1} s of audio decoded and resampled in {:?}",
            path.file_name().unwrap().to_string_lossy(),
            pcm.samples.len() as f64 / 16_000.0,
            started.elapsed()
        );
    }
}
