use quorum_audio::{decode_16k_mono, split_on_silence, VadOptions};

use crate::helpers::Studio;

#[test]
fn two_phrases_split_inside_the_pause_between_them() {
    let studio = Studio::new();
    let first = studio.speak("a.wav", "The budget is approved.");
    let second = studio.speak("b.wav", "Next item, the hiring plan.");
    let pause = studio.silence("pause.wav", 1.5);
    let joined = studio.sox(&[&first, &pause, &second], &[], "joined.wav");

    let pcm = decode_16k_mono(&joined).unwrap();
    let spans = split_on_silence(&pcm.samples, pcm.sample_rate, &VadOptions::default());
    assert_eq!(spans.len(), 2, "{spans:?}");

    // Where the pause lies at 16 kHz.
    let first_len = decode_16k_mono(&first).unwrap().samples.len();
    let pause_end = first_len + 24_000;
    assert!(
        spans[0].end > first_len - 8_000 && spans[0].end <= pause_end,
        "{spans:?}"
    );
    assert!(
        spans[1].start >= first_len && spans[1].start < pause_end + 8_000,
        "{spans:?}"
    );
    assert!(
        spans[0].start < 8_000 && spans[1].end > pcm.samples.len() - 8_000,
        "{spans:?}"
    );
}
