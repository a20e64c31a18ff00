//! SQL, written once for SQLite and PostgreSQL. Every function takes a connection so the
//! same code runs inside a write transaction (`&mut tx`) or on a pooled reader.
//! [`todos`]: todos and their status history; [`meetings`]: what the service knows about
//! meetings, their participants and the user directory.

pub(crate) mod meetings;
pub(crate) mod todos;

use uuid::Uuid;

use crate::error::ApiError;

pub(crate) fn uuid(raw: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(raw).map_err(|_| ApiError::corrupt(format!("`{raw}` is not a UUID")))
}

pub(crate) fn opt_uuid(raw: Option<String>) -> Result<Option<Uuid>, ApiError> {
    raw.as_deref().map(uuid).transpose()
}
