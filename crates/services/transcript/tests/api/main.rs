//! The transcript service's consumers and HTTP API, against a real database, broker, cache
//! and task store.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)] // test code: a failed step should stop the test

mod access;
mod helpers;
mod ingest;
mod openai;
mod recording;
mod review;
