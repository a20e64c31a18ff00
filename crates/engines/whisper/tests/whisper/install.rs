use std::fs;

use quorum_whisper::{install, is_model_dir, ModelOptions, WhisperModel};

#[test]
fn install_is_idempotent_and_leaves_no_staging_behind() {
    let dir = quorum_whisper::model_dir_for_tests("tiny.en").unwrap();
    let cache = dir.parent().unwrap();
    let before = fs::metadata(dir.join("model.bin"))
        .unwrap()
        .modified()
        .unwrap();

    let again = install("tiny.en", cache).unwrap();

    assert_eq!(again, dir);
    assert!(is_model_dir(&again));
    let after = fs::metadata(again.join("model.bin"))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(before, after, "an installed model must be left alone");
    let leftovers: Vec<_> = fs::read_dir(cache)
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().contains(".partial-"))
        .collect();
    assert!(
        leftovers.is_empty(),
        "staging directories left: {leftovers:?}"
    );
}

#[test]
fn loading_an_empty_directory_says_what_is_missing() {
    let dir = tempfile::tempdir().unwrap();
    assert!(!is_model_dir(dir.path()));
    let err = WhisperModel::load(&ModelOptions::new(dir.path()))
        .unwrap_err()
        .to_string();
    assert!(err.contains("not a Whisper model directory"), "{err}");
    assert!(err.contains("missing model.bin"), "{err}");
}
