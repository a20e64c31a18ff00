//! The todo service against a real database, broker and cache.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)] // test code: a failed step should stop the test

mod crud;
mod dedupe;
mod helpers;
mod list;
mod notes;
mod patch;
