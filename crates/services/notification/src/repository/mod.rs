//! SQL, one file per table group. Every function takes a connection so the same code runs
//! inside a consumer's transaction (`&mut *tx`) or on a pooled reader.

pub(crate) mod deliveries;
pub(crate) mod notifications;
pub(crate) mod preferences;
pub(crate) mod refs;

pub(crate) use quorum_service::column::uuid;
