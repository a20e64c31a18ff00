//! The meeting service's HTTP API, against a real database, broker and cache.

mod audio;
mod create;
mod directory;
mod events;
mod helpers;
mod lifecycle;
mod pipeline;
mod read;
mod recordings;
mod update;
