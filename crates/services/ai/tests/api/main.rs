//! The AI service's HTTP API and consumers, against a real database, broker and task store.

#![allow(clippy::restriction)] // test code: a failed step should stop the test

mod access;
mod automatic;
mod deletion;
mod helpers;
mod ics;
mod openai;
mod tasks;
