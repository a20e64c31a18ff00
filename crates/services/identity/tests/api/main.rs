//! Integration tests of the identity service over HTTP (one binary, see `helpers.rs`).

#![allow(clippy::restriction)] // test code: a failed step should stop the test

mod email;
mod helpers;
mod passwords;
mod profile;
mod register;
mod session;
mod throttle;
mod wiring;
