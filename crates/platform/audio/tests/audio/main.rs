//! Integration tests: real recordings made with espeak-ng and sox (see `helpers`), and the
//! ffmpeg-made fixtures in `tests/fixtures`.

#![allow(clippy::restriction)] // test code: a failed step should stop the test

mod cut;
mod decode;
mod errors;
mod helpers;
mod limits;
mod probe;
mod vad;
