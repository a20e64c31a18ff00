//! Recordings that claim what no microphone makes are refused while they are decoded: a WAV
//! header of 1 Hz (32 KB read as four and a half hours), too many channels, too high a rate,
//! and anything longer than the limit.

use quorum_audio::{encode_wav, probe, probe_within, AudioError, Limits};

use crate::helpers::{Studio, PHRASE};

fn implausible(result: Result<quorum_audio::Probe, AudioError>) -> String {
    match result {
        Err(AudioError::Implausible(message)) => message,
        other => panic!("expected Implausible, got {other:?}"),
    }
}

#[test]
fn a_wav_whose_header_claims_1_hz_is_refused() {
    let studio = Studio::new();
    // 16 000 samples of a tone: 1 s at 16 kHz, or 4.4 hours at the 1 Hz its header claims.
    let tone: Vec<f32> = (0..16_000).map(|i| (i as f32 * 0.06).sin() * 0.5).collect();
    let file = studio.write("one-hertz.wav", &encode_wav(&tone, 1));
    assert_eq!(std::fs::metadata(&file).unwrap().len(), 32_044);
    let message = implausible(probe(&file));
    assert!(
        message.contains("1 Hz") && message.contains("8000–192000"),
        "{message}"
    );
    // The same samples at a real rate are fine.
    let fine = studio.write("real.wav", &encode_wav(&tone, 16_000));
    assert_eq!(probe(&fine).unwrap().duration_ms, 1_000);
}

#[test]
fn too_many_channels_and_too_high_a_rate_are_refused() {
    let studio = Studio::new();
    let wav = studio.speak("speech.wav", PHRASE);
    let wide = studio.sox(&[&wav], &["-c", "10"], "ten.wav");
    let message = implausible(probe(&wide));
    assert!(message.contains("10 channels"), "{message}");
    let fast = studio.sox(&[&wav], &["-r", "384000"], "fast.wav");
    let message = implausible(probe(&fast));
    assert!(message.contains("384000 Hz"), "{message}");
    // The bounds themselves are accepted.
    probe(&studio.sox(&[&wav], &["-r", "8000", "-c", "8"], "edge.wav")).unwrap();
}

#[test]
fn a_recording_longer_than_the_limit_is_too_long_in_every_format() {
    let studio = Studio::new();
    let wav = studio.speak("speech.wav", PHRASE);
    let limits = Limits {
        max_duration_ms: 2_000,
    };
    for path in [
        wav.clone(),
        studio.sox(&[&wav], &[], "speech.flac"),
        studio.sox(&[&wav], &["-C", "128"], "speech.mp3"),
        studio.sox(&[&wav], &[], "speech.ogg"),
    ] {
        match probe_within(&path, limits) {
            Err(err @ AudioError::TooLong { max_ms: 2_000 }) => {
                assert_eq!(
                    err.to_string(),
                    "the recording is longer than the limit of 0:02"
                );
            }
            other => panic!("{}: {other:?}", path.display()),
        }
        assert!(probe_within(&path, Limits::default()).is_ok());
    }
}
