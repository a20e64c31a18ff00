//! Integration tests: real recordings made with espeak-ng and sox (see `helpers`), and the
//! ffmpeg-made fixtures in `tests/fixtures`.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)] // test code: a failed step should stop the test

mod decode;
mod errors;
mod helpers;
mod probe;
mod vad;
