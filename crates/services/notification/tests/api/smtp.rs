//! The mail sink lives in the shared test support.

pub(crate) use quorum_test_support::mail::MailSink;
