//! End-to-end tests of the all-in-one process through the gateway.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::print_stdout,
    clippy::print_stderr
)] // test code: a failed step should stop the test

mod async_reply;
mod binary;
mod crash;
mod distributed;
mod helpers;
mod lifecycle;
mod outage;
mod pipeline;
mod platform;
mod replicas;
mod shutdown;
#[cfg(feature = "whisper")]
mod speech;
