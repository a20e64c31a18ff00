//! The transcript service's consumers and HTTP API, against a real database, broker, cache
//! and task store.

mod access;
mod helpers;
mod ingest;
mod openai;
mod recording;
mod review;
