use quorum_audio::{probe, Format};

use crate::helpers::{fixture, sox_duration_ms, Studio, PHRASE};

fn assert_close(actual_ms: u64, expected_ms: u64, what: &str) {
    let error = (actual_ms as f64 - expected_ms as f64).abs() / expected_ms as f64;
    assert!(
        error <= 0.05,
        "{what}: {actual_ms} ms, expected {expected_ms} ms ±5%"
    );
}

#[test]
fn each_format_probes_with_its_duration() {
    let studio = Studio::new();
    let wav = studio.speak("speech.wav", PHRASE);
    let source_ms = sox_duration_ms(&wav);
    let cases = [
        (wav.clone(), Format::Wav, 22_050, 1),
        (
            studio.sox(&[&wav], &[], "speech.flac"),
            Format::Flac,
            22_050,
            1,
        ),
        (
            studio.sox(&[&wav], &["-C", "128"], "speech.mp3"),
            Format::Mp3,
            22_050,
            1,
        ),
        (
            studio.sox(&[&wav], &[], "speech.ogg"),
            Format::Ogg,
            22_050,
            1,
        ),
        (
            studio.sox(&[&wav], &["-r", "44100", "-c", "2"], "stereo.wav"),
            Format::Wav,
            44_100,
            2,
        ),
        (
            studio.sox(
                &[&wav],
                &["-r", "44100", "-c", "2", "-C", "128"],
                "stereo.mp3",
            ),
            Format::Mp3,
            44_100,
            2,
        ),
    ];
    for (path, format, rate, channels) in cases {
        let probe = probe(&path).unwrap_or_else(|err| panic!("{}: {err}", path.display()));
        assert_eq!(probe.format, format, "{}", path.display());
        assert_eq!(
            (probe.sample_rate, probe.channels),
            (rate, channels),
            "{}",
            path.display()
        );
        assert_close(probe.duration_ms, source_ms, &path.display().to_string());
    }
}

#[test]
fn ffmpeg_fixtures_probe_with_their_duration() {
    // The source was 3.641 s of espeak-ng speech (see tests/fixtures/README.md).
    let cases = [
        ("speech.m4a", Format::M4a, 22_050),
        ("speech.webm", Format::Webm, 48_000),
        ("speech-live.webm", Format::Webm, 48_000),
        ("speech.opus", Format::Ogg, 48_000),
    ];
    for (name, format, rate) in cases {
        let probe = probe(&fixture(name)).unwrap_or_else(|err| panic!("{name}: {err}"));
        assert_eq!(
            (probe.format, probe.sample_rate, probe.channels),
            (format, rate, 1),
            "{name}"
        );
        assert_close(probe.duration_ms, 3_641, name);
    }
}
