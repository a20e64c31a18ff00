//! One way every service prepares its database at start-up.

use quorum_store::{Db, Migration, StoreError};

/// Whether the service keeps the platform user directory (`quorum_directory`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Directory {
    Kept,
    None,
}

/// Migrates a service's database in the one order every service uses: the bus tables
/// (`outbox`, `inbox`), the `Idempotency-Key` records (`quorum_store::idempotency`), the
/// user directory when the service keeps one (its own migrations
/// may copy an older table into it), then the service's own `migrations` under `scope`.
pub async fn prepare(
    db: &Db,
    scope: &str,
    migrations: &[Migration],
    directory: Directory,
) -> Result<(), StoreError> {
    db.migrate("bus", quorum_bus::outbox::MIGRATIONS).await?;
    db.migrate("idempotency", quorum_store::idempotency::MIGRATIONS)
        .await?;
    if directory == Directory::Kept {
        quorum_directory::migrate(db).await?;
    }
    db.migrate(scope, migrations).await
}
