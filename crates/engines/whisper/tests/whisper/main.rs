//! Integration tests: real models (installed from PyPI into the shared cache, see
//! `quorum_whisper::model_dir_for_tests`) on speech synthesised by espeak-ng.
//! Run with `--release`; the multilingual `base` tests are `#[ignore]`d.

#![allow(clippy::restriction)] // test code: a failed step should stop the test

mod install;
mod speech;
mod transcribe;
