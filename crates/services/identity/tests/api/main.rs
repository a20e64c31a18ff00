//! Integration tests of the identity service over HTTP (one binary, see `helpers.rs`).

mod helpers;
mod profile;
mod register;
mod session;
mod wiring;
