//! The embedded durable broker: queues are rows in an SQLite database.
//! (Implementation in progress.)

use std::path::Path;

use quorum_store::Db;

use crate::BusError;

/// A broker whose queues live in an SQLite file; see the crate docs.
pub struct EmbeddedBroker {
    _db: Db,
}

impl EmbeddedBroker {
    /// Opens (creating if needed) the broker database at `path`.
    pub async fn open(path: &Path) -> Result<Self, BusError> {
        let _ = path;
        todo!()
    }

    /// Uses an already opened database (its own, not a service's).
    pub async fn with_db(db: Db) -> Result<Self, BusError> {
        let _ = db;
        todo!()
    }
}
