//! Deleted meetings, as every service that keeps data made from a meeting remembers them.
//!
//! `DELETE /api/meetings/{id}` publishes `meeting.deleted`; each consumer of it deletes what
//! its service keeps for the meeting and, in the same transaction, writes a tombstone into
//! the service's `deleted_meetings` table ([`TABLE`], one row per deleted meeting). Work for
//! the meeting may still be on its way — a `transcript.created` in a queue, a speech-to-text
//! chunk being transcribed, an analysis being computed — so every step that creates data for
//! a meeting first asks [`is_deleted`] in its own write transaction and creates nothing for a
//! deleted meeting. Tombstones are kept for good (a few bytes per deleted meeting): an event
//! may be redelivered or retried long after the deletion.
//!
//! Checking and deleting must not interleave, or a creator that checked before the deletion
//! committed could commit its rows after the deletion removed the others (PostgreSQL's READ
//! COMMITTED sees neither side's uncommitted rows). Both sides therefore serialize per
//! meeting before they read:
//! - SQLite: every write transaction runs on the one writer connection
//!   (`quorum_store::Db::begin`), so they are serialized already;
//! - PostgreSQL: a transaction-scoped advisory lock keyed by the meeting id — shared for a
//!   creator ([`is_deleted`]; creators do not wait for each other), exclusive for the
//!   deletion ([`record`]). Whichever takes it second sees the other's committed work: a
//!   creator sees the tombstone and stops, or the deletion's statements (each with a fresh
//!   snapshot) see the creator's rows and delete them.
//!
//! Call either first in the transaction, before it locks any row, so the lock order is the
//! same everywhere (advisory lock, then rows) and the two cannot deadlock.

use quorum_store::sqlx::{self, AnyConnection};
use uuid::Uuid;

use crate::Failure;

/// The table, for each service's own migrations (portable SQL).
pub const TABLE: &str = "CREATE TABLE deleted_meetings (
    meeting_id TEXT PRIMARY KEY,
    deleted_at BIGINT NOT NULL
)";

/// The advisory-lock key of a meeting: its id folded to 64 bits. Two meetings that share a
/// key only wait for each other now and then.
fn lock_key(meeting: Uuid) -> i64 {
    let (hi, lo) = meeting.as_u64_pair();
    i64::from_ne_bytes((hi ^ lo).to_ne_bytes())
}

fn is_postgres(conn: &AnyConnection) -> bool {
    conn.backend_name().eq_ignore_ascii_case("postgresql")
}

async fn lock(conn: &mut AnyConnection, meeting: Uuid, shared: bool) -> Result<(), Failure> {
    if !is_postgres(conn) {
        return Ok(());
    }
    let sql = if shared {
        "SELECT pg_advisory_xact_lock_shared($1)"
    } else {
        "SELECT pg_advisory_xact_lock($1)"
    };
    sqlx::query(sql)
        .bind(lock_key(meeting))
        .execute(conn)
        .await?;
    Ok(())
}

/// Whether `meeting` was deleted. Call it first in the write transaction that is about to
/// create data for the meeting, and create nothing when it answers `true`; until that
/// transaction ends, the meeting's deletion waits for it.
pub async fn is_deleted(conn: &mut AnyConnection, meeting: Uuid) -> Result<bool, Failure> {
    lock(conn, meeting, true).await?;
    let found: Option<i64> =
        sqlx::query_scalar("SELECT deleted_at FROM deleted_meetings WHERE meeting_id = $1")
            .bind(meeting.to_string())
            .fetch_optional(conn)
            .await?;
    Ok(found.is_some())
}

/// Records that `meeting` was deleted (at `at`, epoch millis), waiting for transactions that
/// are creating data for it to end. Call it first in the transaction that deletes the
/// meeting's data. Idempotent: `false` when it was recorded before.
pub async fn record(conn: &mut AnyConnection, meeting: Uuid, at: i64) -> Result<bool, Failure> {
    lock(conn, meeting, false).await?;
    let done = sqlx::query(
        "INSERT INTO deleted_meetings (meeting_id, deleted_at) VALUES ($1, $2) \
         ON CONFLICT (meeting_id) DO NOTHING",
    )
    .bind(meeting.to_string())
    .bind(at)
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_keys_fold_the_whole_id() {
        let a = Uuid::from_u64_pair(1, 2);
        let b = Uuid::from_u64_pair(1, 3);
        assert_ne!(lock_key(a), lock_key(b));
        assert_eq!(lock_key(a), lock_key(Uuid::from_u64_pair(1, 2)));
        assert_eq!(lock_key(Uuid::from_u64_pair(u64::MAX, 0)), -1);
    }
}
