//! SQL, one file per table group. Every function takes a connection so the same code runs
//! inside a consumer's transaction (`&mut *tx`) or on a pooled reader.

pub(crate) mod deliveries;
pub(crate) mod notifications;
pub(crate) mod preferences;
pub(crate) mod refs;

use uuid::Uuid;

use quorum_service::Failure;

pub(crate) fn uuid(raw: &str) -> Result<Uuid, Failure> {
    Uuid::parse_str(raw).map_err(|_| Failure::corrupt(format!("`{raw}` is not a UUID")))
}
