//! The todo service against a real database, broker and cache.

mod crud;
mod dedupe;
mod helpers;
mod list;
mod notes;
mod patch;
