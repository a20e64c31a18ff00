//! The notification service against a real database, the embedded broker and a real SMTP
//! server (`scripts/mail_sink.py`).

#![allow(clippy::restriction)] // test code: a failed step should stop the test

mod access;
mod confirm;
mod deletion;
mod email;
mod failures;
mod helpers;
mod pipeline;
mod preferences;
mod smtp;
mod stream;
