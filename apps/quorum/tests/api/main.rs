//! End-to-end tests of the all-in-one process through the gateway.

#![allow(clippy::restriction)] // test code: a failed step should stop the test

mod async_reply;
mod binary;
mod browser;
mod contract;
mod crash;
mod deletion;
mod distributed;
mod hardening;
mod helpers;
mod idempotency;
mod lifecycle;
mod operations;
mod outage;
mod pipeline;
mod platform;
mod privacy;
mod recordings;
mod replicas;
mod sessions;
mod shutdown;
#[cfg(feature = "whisper")]
mod speech;
