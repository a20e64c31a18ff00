//! The todo service against a real database, broker and cache.

#![allow(clippy::restriction)] // test code: a failed step should stop the test

mod assign;
mod crud;
mod dedupe;
mod delete;
mod helpers;
mod list;
mod meeting_deleted;
mod notes;
mod patch;
