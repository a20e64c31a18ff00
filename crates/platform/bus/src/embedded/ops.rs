//! The statements behind consuming: claim, release and dead-letter.

use quorum_store::now_millis;
use sqlx::AnyConnection;

use super::schema::{self, Stored, MESSAGE_COLUMNS, STATE_CLAIMED, STATE_READY};
use super::state::Inner;
use crate::broker::headers::{DEATH_REASON, DELIVERY_COUNT, ORIGINAL_QUEUE};
use crate::BusError;

/// Claims up to `limit` ready messages of `queue` (highest priority first, then oldest) in
/// one `UPDATE … RETURNING`. Messages that expired, or that were delivered more than
/// `max_deliveries` times without being settled (the process kept dying on them), are
/// dead-lettered instead of returned.
pub(super) async fn claim(
    inner: &Inner,
    queue: &str,
    limit: usize,
) -> Result<Vec<Stored>, BusError> {
    let spec = inner.queue(queue)?;
    let sql = format!(
        "UPDATE bus_messages SET state = $1, delivery_count = delivery_count + 1, \
         lease_until = $2 WHERE id IN (SELECT id FROM bus_messages \
         WHERE queue = $3 AND state = $4 AND available_at <= $5 \
         ORDER BY priority DESC, id LIMIT $6) RETURNING {MESSAGE_COLUMNS}"
    );
    let lease = i64::try_from(inner.options.visibility_timeout.as_millis()).unwrap_or(i64::MAX);
    loop {
        let now = now_millis();
        let rows = sqlx::query(&sql)
            .bind(STATE_CLAIMED)
            .bind(now.saturating_add(lease))
            .bind(queue)
            .bind(STATE_READY)
            .bind(now)
            .bind(i64::try_from(limit).unwrap_or(i64::MAX))
            .fetch_all(inner.db.writer())
            .await?;
        if rows.is_empty() {
            return Ok(Vec::new());
        }
        let mut good = Vec::with_capacity(rows.len());
        let mut bad = Vec::new();
        for row in &rows {
            let stored = Stored::from_row(row)?;
            if stored.expires_at.is_some_and(|at| at <= now) {
                let delivered = stored.delivery_count.saturating_sub(1);
                bad.push((stored, "expired", delivered));
            } else if stored.delivery_count > spec.max_deliveries.max(1) {
                let delivered = stored.delivery_count.saturating_sub(1);
                bad.push((stored, "delivery-limit", delivered));
            } else {
                good.push(stored);
            }
        }
        if !bad.is_empty() {
            let mut tx = inner.db.begin().await?;
            let mut woken = Vec::new();
            for (stored, reason, delivered) in &bad {
                tracing::info!(queue, message_id = %stored.message.id, reason, "dead-lettering");
                woken.extend(
                    dead_letter(inner, &mut tx, queue, stored, reason, *delivered, now).await?,
                );
            }
            tx.commit().await?;
            for q in woken {
                inner.wake(&q);
            }
        }
        if good.is_empty() {
            continue;
        }
        good.sort_by(|a, b| {
            b.message
                .priority
                .cmp(&a.message.priority)
                .then(a.row_id.cmp(&b.row_id))
        });
        inner.mark_live(good.iter().map(|s| s.row_id));
        return Ok(good);
    }
}

/// Moves a message out of `queue` into the queue's dead-letter queue (or discards it when it
/// has none), recording why in its headers. Returns the queue to wake. Dead-lettering ignores
/// the dead-letter queue's `max_length`: a failed message is never silently dropped.
pub(super) async fn dead_letter(
    inner: &Inner,
    conn: &mut AnyConnection,
    queue: &str,
    stored: &Stored,
    reason: &str,
    delivered: u32,
    now: i64,
) -> Result<Option<String>, BusError> {
    let deleted = sqlx::query("DELETE FROM bus_messages WHERE id = $1")
        .bind(stored.row_id)
        .execute(&mut *conn)
        .await?;
    if deleted.rows_affected() == 0 {
        return Ok(None);
    }
    let target = inner
        .queue(queue)
        .ok()
        .and_then(|s| s.dead_letter_queue)
        .and_then(|d| inner.queue(&d).ok());
    let Some(mut dlq) = target else {
        tracing::warn!(queue, message_id = %stored.message.id, reason,
            "message discarded: its queue has no dead-letter queue");
        return Ok(None);
    };
    dlq.max_length = None;
    let mut message = stored.message.clone();
    message.ttl = None;
    message.headers.insert(DEATH_REASON.into(), reason.into());
    message.headers.insert(ORIGINAL_QUEUE.into(), queue.into());
    message
        .headers
        .insert(DELIVERY_COUNT.into(), delivered.to_string());
    schema::insert(conn, &dlq, &message, now).await?;
    Ok(Some(dlq.name))
}

/// Makes a claimed message ready again after `delay_ms`.
pub(super) async fn release(inner: &Inner, row_id: i64, delay_ms: i64) -> Result<(), BusError> {
    sqlx::query(
        "UPDATE bus_messages SET state = $1, lease_until = NULL, available_at = $2 \
         WHERE id = $3 AND state = $4",
    )
    .bind(STATE_READY)
    .bind(now_millis().saturating_add(delay_ms))
    .bind(row_id)
    .bind(STATE_CLAIMED)
    .execute(inner.db.writer())
    .await?;
    Ok(())
}
