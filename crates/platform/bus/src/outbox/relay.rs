//! The outbox relay loop: batches, backoff, pruning.

use std::sync::Arc;
use std::time::Duration;

use quorum_store::{now_millis, Db, Dialect};
use sqlx::{AnyConnection, Row as _};
use tokio::time::Instant;
use tokio_util::sync::CancellationToken;

use super::Outbox;
use crate::{Broker, BusError, Message};

/// Rows one batch publishes.
const BATCH: usize = 100;
/// How often the relay looks without being woken (other replicas write to the same outbox).
const POLL: Duration = Duration::from_millis(500);
const BACKOFF_BASE: Duration = Duration::from_millis(100);
const BACKOFF_MAX: Duration = Duration::from_secs(10);
const PRUNE_EVERY: Duration = Duration::from_secs(3600);
/// Published rows are kept this long (for inspection) and then deleted.
const RETENTION_MS: i64 = 24 * 3600 * 1000;

pub(super) async fn run(outbox: Outbox, broker: Arc<dyn Broker>, shutdown: CancellationToken) {
    let mut backoff = BACKOFF_BASE;
    let mut next_prune = Instant::now();
    while !shutdown.is_cancelled() {
        if Instant::now() >= next_prune {
            if let Err(e) = prune(&outbox.db).await {
                tracing::warn!(error = %e, "outbox prune failed");
            }
            next_prune = Instant::now() + PRUNE_EVERY;
        }
        // A batch is short and bounded; it is allowed to finish even during shutdown.
        match relay_batch(&outbox.db, &*broker).await {
            Ok(n) if n >= BATCH => backoff = BACKOFF_BASE,
            Ok(_) => {
                backoff = BACKOFF_BASE;
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = outbox.wake.notified() => {}
                    () = tokio::time::sleep(POLL) => {}
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, retry_in_ms = backoff.as_millis() as u64,
                    "outbox relay could not publish; will retry");
                // When the broker is what failed, retry as soon as it is back rather than at
                // the end of a backoff that may have grown to 10 s during the outage.
                let broker_down = broker.ping().await.is_err();
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = tokio::time::sleep(backoff) => {
                        backoff = (backoff * 2).min(BACKOFF_MAX);
                    }
                    () = broker_back(&*broker), if broker_down => backoff = BACKOFF_BASE,
                }
            }
        }
    }
}

/// How often a relay waiting on a broker outage asks whether it is back (a disconnected
/// RabbitMQ adapter answers at once, without network traffic).
const BROKER_RECHECK: Duration = Duration::from_millis(250);

/// Resolves once the broker answers a ping.
async fn broker_back(broker: &dyn Broker) {
    loop {
        tokio::time::sleep(BROKER_RECHECK).await;
        if broker.ping().await.is_ok() {
            return;
        }
    }
}

struct Pending {
    seq: i64,
    id: String,
    exchange: String,
    routing_key: String,
    payload: String,
}

enum Mark {
    Published(i64),
    Unroutable(i64, String),
    Failed(i64, String),
}

async fn select(conn: &mut AnyConnection, lock: bool) -> Result<Vec<Pending>, BusError> {
    let sql = format!(
        "SELECT seq, id, exchange, routing_key, payload FROM outbox \
         WHERE published_at IS NULL ORDER BY seq LIMIT {BATCH}{}",
        if lock { " FOR UPDATE SKIP LOCKED" } else { "" }
    );
    let rows = sqlx::query(&sql).fetch_all(conn).await?;
    rows.iter()
        .map(|r| {
            Ok(Pending {
                seq: r.try_get("seq")?,
                id: r.try_get("id")?,
                exchange: r.try_get("exchange")?,
                routing_key: r.try_get("routing_key")?,
                payload: r.try_get("payload")?,
            })
        })
        .collect()
}

/// Publishes `rows` in order until one fails; returns the marks to record and that failure.
async fn publish_all(broker: &dyn Broker, rows: Vec<Pending>) -> (Vec<Mark>, Option<BusError>) {
    let mut marks = Vec::with_capacity(rows.len());
    for row in rows {
        let mut message = Message::new(row.id, row.payload.into_bytes());
        message
            .headers
            .insert("content-type".into(), "application/json".into());
        match broker
            .publish(&row.exchange, &row.routing_key, message)
            .await
        {
            Ok(()) => marks.push(Mark::Published(row.seq)),
            Err(e @ BusError::Unroutable { .. }) => {
                tracing::info!(
                    exchange = row.exchange,
                    routing_key = row.routing_key,
                    "event has no subscriber; marked published"
                );
                marks.push(Mark::Unroutable(row.seq, e.to_string()));
            }
            Err(e) => {
                marks.push(Mark::Failed(row.seq, e.to_string()));
                return (marks, Some(e));
            }
        }
    }
    (marks, None)
}

async fn apply(conn: &mut AnyConnection, marks: &[Mark]) -> Result<usize, BusError> {
    let now = now_millis();
    let mut settled = 0;
    for mark in marks {
        let (seq, published, error) = match mark {
            Mark::Published(seq) => (*seq, Some(now), None),
            Mark::Unroutable(seq, e) => (*seq, Some(now), Some(e.as_str())),
            Mark::Failed(seq, e) => (*seq, None, Some(e.as_str())),
        };
        settled += usize::from(published.is_some());
        sqlx::query(
            "UPDATE outbox SET published_at = $1, attempts = attempts + 1, \
             last_error = COALESCE($2, last_error) WHERE seq = $3",
        )
        .bind(published)
        .bind(error)
        .bind(seq)
        .execute(&mut *conn)
        .await?;
    }
    Ok(settled)
}

pub(super) async fn relay_batch(db: &Db, broker: &dyn Broker) -> Result<usize, BusError> {
    let (settled, failure) = match db.dialect() {
        Dialect::Postgres => {
            let mut tx = db.begin().await?;
            let rows = select(&mut tx, true).await?;
            let (marks, failure) = publish_all(broker, rows).await;
            let settled = apply(&mut tx, &marks).await?;
            tx.commit().await?;
            (settled, failure)
        }
        Dialect::Sqlite => {
            let rows = {
                let mut conn = db.reader().acquire().await?;
                select(&mut conn, false).await?
            };
            if rows.is_empty() {
                return Ok(0);
            }
            let (marks, failure) = publish_all(broker, rows).await;
            let mut tx = db.begin().await?;
            let settled = apply(&mut tx, &marks).await?;
            tx.commit().await?;
            (settled, failure)
        }
    };
    match failure {
        Some(e) => Err(e),
        None => Ok(settled),
    }
}

async fn prune(db: &Db) -> Result<(), BusError> {
    let cutoff = now_millis() - RETENTION_MS;
    let done =
        sqlx::query("DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < $1")
            .bind(cutoff)
            .execute(db.writer())
            .await?;
    if done.rows_affected() > 0 {
        tracing::debug!(rows = done.rows_affected(), "pruned published outbox rows");
    }
    Ok(())
}
