//! SQL, written once for SQLite and PostgreSQL. Every function takes a connection so the
//! same code runs inside a write transaction (`&mut tx`) or on a pooled reader.
//! [`todos`]: todos and their status history; [`meetings`]: what the service knows about
//! meetings, their participants and the user directory.

pub(crate) mod meetings;
pub(crate) mod todos;

pub(crate) use quorum_service::column::{opt_uuid, uuid};
