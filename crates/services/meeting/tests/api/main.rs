//! The meeting service's HTTP API, against a real database, broker and cache.

#![allow(clippy::restriction)] // test code: a failed step should stop the test

mod audio;
mod create;
mod delete;
mod directory;
mod events;
mod helpers;
mod lifecycle;
mod limits;
mod pipeline;
mod read;
mod recordings;
mod update;
