//! The transcript service's consumers and HTTP API, against a real database, broker, cache
//! and task store.

#![allow(clippy::restriction)] // test code: a failed step should stop the test

mod access;
mod deletion;
mod helpers;
mod ingest;
mod openai;
mod recording;
mod review;
mod turns;
mod unheard;
