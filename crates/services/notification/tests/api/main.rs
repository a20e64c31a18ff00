//! The notification service against a real database, the embedded broker and a real SMTP
//! server (`scripts/mail_sink.py`).

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)] // test code: a failed step should stop the test

mod access;
mod email;
mod failures;
mod helpers;
mod pipeline;
mod preferences;
mod smtp;
mod stream;
