//! SQL, written once for SQLite and PostgreSQL. Every function takes a connection so the
//! same code runs inside a write transaction (`&mut tx`) or on a pooled reader.
//! [`todos`]: todos and their status history; [`meetings`]: what the service knows about
//! meetings, their participants and the user directory.

pub(crate) mod meetings;
pub(crate) mod todos;

use uuid::Uuid;

use quorum_service::Failure;

pub(crate) fn uuid(raw: &str) -> Result<Uuid, Failure> {
    Uuid::parse_str(raw).map_err(|_| Failure::corrupt(format!("`{raw}` is not a UUID")))
}

pub(crate) fn opt_uuid(raw: Option<String>) -> Result<Option<Uuid>, Failure> {
    raw.as_deref().map(uuid).transpose()
}
