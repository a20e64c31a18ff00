use std::path::Path;

use quorum_audio::{decode_16k_mono, probe, AudioError};

use crate::helpers::{Studio, PHRASE};

fn undecodable(path: &Path) -> String {
    match probe(path) {
        Err(AudioError::Undecodable(message)) => message,
        other => panic!("{}: expected Undecodable, got {other:?}", path.display()),
    }
}

#[test]
fn text_and_empty_files_are_refused() {
    let studio = Studio::new();
    let text = studio.write(
        "notes.wav",
        b"Minutes of the meeting: nothing was decided.\n",
    );
    match probe(&text) {
        Err(AudioError::Unsupported(message)) => {
            assert!(
                message.contains("text") && message.contains("FLAC"),
                "{message}"
            );
        }
        other => panic!("{other:?}"),
    }
    let empty = studio.write("empty.mp3", b"");
    assert!(matches!(probe(&empty), Err(AudioError::Empty)));
    assert!(matches!(decode_16k_mono(&empty), Err(AudioError::Empty)));
    // A valid WAV header with no samples.
    let silent = studio.write("nothing.wav", &quorum_audio::encode_wav(&[], 16_000));
    assert!(
        matches!(probe(&silent), Err(AudioError::Empty)),
        "{:?}",
        probe(&silent)
    );
}

#[test]
fn a_truncated_mp3_is_undecodable() {
    let studio = Studio::new();
    let wav = studio.speak("speech.wav", PHRASE);
    for (options, name) in [
        (&["-C", "128"][..], "mono.mp3"),
        (&["-r", "44100", "-c", "2", "-C", "128"][..], "stereo.mp3"),
    ] {
        let mp3 = studio.sox(&[&wav], options, name);
        let len = std::fs::metadata(&mp3).unwrap().len() as usize;
        probe(&mp3).unwrap();
        for cut in [len / 2, len / 3 + 7, len - 100, 1_000] {
            let message = undecodable(&studio.truncated(&mp3, cut, &format!("cut-{cut}-{name}")));
            assert!(
                message.contains("truncated"),
                "{name} cut at {cut}: {message}"
            );
        }
    }
}

#[test]
fn truncated_wav_flac_and_ogg_are_undecodable() {
    let studio = Studio::new();
    let wav = studio.speak("speech.wav", PHRASE);
    let flac = studio.sox(&[&wav], &[], "speech.flac");
    let ogg = studio.sox(&[&wav], &[], "speech.ogg");
    for path in [wav, flac, ogg] {
        let len = std::fs::metadata(&path).unwrap().len() as usize;
        for cut in [len / 2, len - 1] {
            let name = format!("cut-{cut}-{}", path.file_name().unwrap().to_string_lossy());
            let message = undecodable(&studio.truncated(&path, cut, &name));
            assert!(
                message.contains("truncated") || message.contains("cut off"),
                "{name}: {message}"
            );
        }
    }
}

#[test]
fn garbage_behind_valid_magic_numbers_never_panics() {
    let studio = Studio::new();
    let magics: [&[u8]; 8] = [
        b"RIFF\x00\x10\x00\x00WAVEfmt ",
        b"fLaC\x00\x00\x00\x22",
        b"ID3\x03\x00\x00\x00\x00\x00\x10",
        &[0xFF, 0xFB, 0x90, 0x64],
        b"OggS\x00\x02\x00\x00",
        b"\x00\x00\x00\x18ftypM4A \x00\x00\x00\x00M4A isom",
        &[0x1A, 0x45, 0xDF, 0xA3, 0x9F, 0x42, 0x86, 0x81],
        b"OggS\x00\x02\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x13OpusHead",
    ];
    let mut seed = 0x2545_F491_4F6C_DD1Du64;
    for (i, magic) in magics.iter().enumerate() {
        for len in [0, 1, 7, 100, 5_000] {
            let mut bytes = magic.to_vec();
            bytes.extend((0..len).map(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 7;
                seed ^= seed << 17;
                seed as u8
            }));
            let path = studio.write(&format!("garbage-{i}-{len}"), &bytes);
            // Any error will do; a panic or a success would be wrong.
            assert!(probe(&path).is_err(), "{i}/{len}");
            assert!(decode_16k_mono(&path).is_err(), "{i}/{len}");
        }
    }
}
