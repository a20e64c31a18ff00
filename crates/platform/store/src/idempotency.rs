//! `Idempotency-Key` records in the service's own database, tied to the write they protect.
//!
//! A key's row (`idempotency_keys`, one per caller, method, path and key) goes through three
//! states:
//! - `running`: claimed by the request now being handled (or by one that died: a claim older
//!   than its claim time is taken over — it committed nothing, see below);
//! - `committed`: the request's write transaction committed. The mark is written *inside*
//!   that transaction: while a keyed request runs under [`within`], every [`Db::begin`] on the
//!   same database first updates the row, so the write and the mark commit together or not at
//!   all. A process killed after the commit leaves `committed`, never `running`: a retry is not
//!   carried out a second time;
//! - `done`: the response is kept (`response`), and a retry gets it back.
//!
//! Rows live until `expires_at` and are pruned by [`claim`] now and then. Shared by every
//! replica of the service, they survive restarts.

use std::future::Future;
use std::sync::atomic::{AtomicI64, Ordering};

use sqlx::Row as _;

use crate::{now_millis, Db, Migration, StoreError, Tx};

/// The table (scope `idempotency` in `_migrations`).
pub const MIGRATIONS: &[Migration] = &[Migration::new(
    1,
    "idempotency_keys",
    "CREATE TABLE idempotency_keys (
        scope TEXT PRIMARY KEY,
        request_hash TEXT NOT NULL,
        state TEXT NOT NULL,
        response TEXT,
        claimed_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
    )",
)];

/// Where a key stands when a request arrives with it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// This request holds the key now: carry it out.
    Mine,
    /// Another request held it first.
    Taken(Taken),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Taken {
    pub request_hash: String,
    pub state: State,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum State {
    Running,
    /// Carried out; its response was not kept (the process stopped before it could be, or
    /// the response was not one to keep).
    Committed,
    /// Carried out; the response, as [`finish`] was given it.
    Done(String),
}

tokio::task_local! {
    static CURRENT: Current;
}

struct Current {
    db: u64,
    scope: String,
}

/// Runs `f` (the handler of a keyed request) so that every write transaction it begins on
/// `db` marks the key `scope` as committed, in that transaction.
pub async fn within<F: Future>(db: &Db, scope: String, f: F) -> F::Output {
    CURRENT.scope(Current { db: db.id(), scope }, f).await
}

/// Called by [`Db::begin`]: the mark, when a keyed request on this database is running.
pub(crate) async fn mark(db: &Db, tx: &mut Tx) -> Result<(), StoreError> {
    let Ok(Some(scope)) = CURRENT.try_with(|c| (c.db == db.id()).then(|| c.scope.clone())) else {
        return Ok(());
    };
    sqlx::query(
        "UPDATE idempotency_keys SET state = 'committed' WHERE scope = $1 AND state = 'running'",
    )
    .bind(scope)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Claims `scope` for a request whose body hashes to `request_hash`. A claim lasts
/// `claim_ms` if its request never finishes; the record, `keep_ms`.
pub async fn claim(
    db: &Db,
    scope: &str,
    request_hash: &str,
    claim_ms: i64,
    keep_ms: i64,
) -> Result<Claim, StoreError> {
    let now = now_millis();
    prune(db, now).await?;
    // An expired record or a stale claim is replaced: at most twice round (a competing
    // request may replace it first).
    for _ in 0..2 {
        let inserted = sqlx::query(
            "INSERT INTO idempotency_keys (scope, request_hash, state, claimed_at, expires_at) \
             VALUES ($1, $2, 'running', $3, $4) ON CONFLICT (scope) DO NOTHING",
        )
        .bind(scope)
        .bind(request_hash)
        .bind(now)
        .bind(now + keep_ms)
        .execute(db.writer())
        .await?;
        if inserted.rows_affected() == 1 {
            return Ok(Claim::Mine);
        }
        let Some(row) = sqlx::query(
            "SELECT request_hash, state, response, claimed_at, expires_at \
             FROM idempotency_keys WHERE scope = $1",
        )
        .bind(scope)
        .fetch_optional(db.writer())
        .await?
        else {
            continue;
        };
        let hash: String = row.try_get("request_hash")?;
        let state: String = row.try_get("state")?;
        let claimed_at: i64 = row.try_get("claimed_at")?;
        let expires_at: i64 = row.try_get("expires_at")?;
        if expires_at <= now {
            sqlx::query("DELETE FROM idempotency_keys WHERE scope = $1 AND expires_at <= $2")
                .bind(scope)
                .bind(now)
                .execute(db.writer())
                .await?;
            continue;
        }
        let state = match state.as_str() {
            "running" if claimed_at + claim_ms <= now => {
                // Its request died without committing: nothing was carried out.
                let taken = sqlx::query(
                    "UPDATE idempotency_keys SET request_hash = $2, claimed_at = $3, \
                     expires_at = $4 WHERE scope = $1 AND state = 'running' AND claimed_at = $5",
                )
                .bind(scope)
                .bind(request_hash)
                .bind(now)
                .bind(now + keep_ms)
                .bind(claimed_at)
                .execute(db.writer())
                .await?;
                if taken.rows_affected() == 1 {
                    return Ok(Claim::Mine);
                }
                continue;
            }
            "running" => State::Running,
            "done" => State::Done(
                row.try_get::<Option<String>, _>("response")?
                    .unwrap_or_default(),
            ),
            _ => State::Committed,
        };
        return Ok(Claim::Taken(Taken {
            request_hash: hash,
            state,
        }));
    }
    Ok(Claim::Taken(Taken {
        request_hash: request_hash.to_owned(),
        state: State::Running,
    }))
}

/// Keeps the response of the request that holds `scope`.
pub async fn finish(db: &Db, scope: &str, response: &str) -> Result<(), StoreError> {
    sqlx::query("UPDATE idempotency_keys SET state = 'done', response = $2 WHERE scope = $1")
        .bind(scope)
        .bind(response)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Gives `scope` up if its request committed nothing; `false` when it did (the key stays:
/// a retry must not carry it out again).
pub async fn release(db: &Db, scope: &str) -> Result<bool, StoreError> {
    let released =
        sqlx::query("DELETE FROM idempotency_keys WHERE scope = $1 AND state = 'running'")
            .bind(scope)
            .execute(db.writer())
            .await?;
    Ok(released.rows_affected() == 1)
}

/// Forgets `scope` whatever its state (a response that must not be replayed).
pub async fn forget(db: &Db, scope: &str) -> Result<(), StoreError> {
    sqlx::query("DELETE FROM idempotency_keys WHERE scope = $1")
        .bind(scope)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Deletes expired records, at most once a minute per database handle.
async fn prune(db: &Db, now: i64) -> Result<(), StoreError> {
    let pruned_at: &AtomicI64 = db.pruned_at();
    let last = pruned_at.load(Ordering::Relaxed);
    if now - last < 60_000
        || pruned_at
            .compare_exchange(last, now, Ordering::Relaxed, Ordering::Relaxed)
            .is_err()
    {
        return Ok(());
    }
    sqlx::query("DELETE FROM idempotency_keys WHERE expires_at <= $1")
        .bind(now)
        .execute(db.writer())
        .await?;
    Ok(())
}
