//! Integration tests of the identity service over HTTP (one binary, see `helpers.rs`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)] // test code: a failed step should stop the test

mod helpers;
mod profile;
mod register;
mod session;
mod wiring;
