//! The AI service's HTTP API and consumers, against a real database, broker and task store.

mod access;
mod automatic;
mod helpers;
mod ics;
mod openai;
mod tasks;
