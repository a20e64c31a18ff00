//! Integration tests of the identity service over HTTP (one binary, see `helpers.rs`).

#![allow(clippy::restriction)] // test code: a failed step should stop the test

mod helpers;
mod profile;
mod register;
mod session;
mod wiring;
