//! The meeting service's HTTP API, against a real database, broker and cache.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)] // test code: a failed step should stop the test

mod audio;
mod create;
mod directory;
mod events;
mod helpers;
mod lifecycle;
mod pipeline;
mod read;
mod recordings;
mod update;
