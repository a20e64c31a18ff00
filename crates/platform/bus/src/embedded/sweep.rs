//! The periodic sweep: dead-letters expired messages nobody is consuming, and returns claimed
//! rows whose lease ran out and that no live delivery holds (the safety net behind
//! [`EmbeddedDelivery`](super::delivery::EmbeddedDelivery)'s release on drop).

use std::sync::Weak;

use quorum_store::now_millis;
use sqlx::Row as _;

use super::ops;
use super::schema::{Stored, MESSAGE_COLUMNS};
use super::state::Inner;
use crate::BusError;

/// Rows one sweep handles; the rest wait for the next one.
const SWEEP_BATCH: i64 = 500;

pub(super) fn spawn(inner: Weak<Inner>) {
    let Some(strong) = inner.upgrade() else {
        return;
    };
    let closed = strong.closed.clone();
    let every = strong.options.sweep_interval;
    drop(strong);
    tokio::spawn(async move {
        loop {
            tokio::select! {
                () = closed.cancelled() => break,
                () = tokio::time::sleep(every) => {}
            }
            let Some(inner) = inner.upgrade() else { break };
            if let Err(e) = sweep_once(&inner).await {
                tracing::warn!(error = %e, "broker sweep failed");
            }
        }
    });
}

pub(super) async fn sweep_once(inner: &Inner) -> Result<(), BusError> {
    let now = now_millis();
    let expired = sqlx::query(&format!(
        "SELECT queue, {MESSAGE_COLUMNS} FROM bus_messages \
         WHERE expires_at IS NOT NULL AND expires_at <= $1 AND state = 0 LIMIT $2"
    ))
    .bind(now)
    .bind(SWEEP_BATCH)
    .fetch_all(inner.db.writer())
    .await?;
    if !expired.is_empty() {
        let mut woken = Vec::new();
        let mut tx = inner.db.begin().await?;
        for row in &expired {
            let queue: String = row.try_get("queue")?;
            let stored = Stored::from_row(row)?;
            let count = stored.delivery_count;
            tracing::info!(queue, message_id = %stored.message.id, "expired; dead-lettering");
            woken.extend(
                ops::dead_letter(inner, &mut tx, &queue, &stored, "expired", count, now).await?,
            );
        }
        tx.commit().await?;
        for q in woken {
            inner.wake(&q);
        }
    }

    // Literal `state = 1` so SQLite can use the partial index `bus_messages_lease`.
    let stale = sqlx::query(
        "SELECT id, queue FROM bus_messages WHERE state = 1 AND lease_until < $1 LIMIT $2",
    )
    .bind(now)
    .bind(SWEEP_BATCH)
    .fetch_all(inner.db.writer())
    .await?;
    for row in &stale {
        let id: i64 = row.try_get("id")?;
        if inner.is_live(id) {
            continue;
        }
        let queue: String = row.try_get("queue")?;
        tracing::warn!(
            queue,
            row_id = id,
            "lease expired; message made ready again"
        );
        ops::release(inner, id, 0).await?;
        inner.wake(&queue);
    }
    Ok(())
}
