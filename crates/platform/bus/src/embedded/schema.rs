//! The broker's own tables and the row <-> [`Message`] mapping.
//!
//! `bus_messages.state` is 0 (ready; delivered once `available_at` has passed) or 1 (claimed
//! by a consumer until settled; `lease_until` is the visibility timeout). The claim index
//! `(queue, state, priority DESC, id)` serves the claim statement's `ORDER BY` directly.

use std::collections::BTreeMap;
use std::time::Duration;

use quorum_store::{Migration, Row};
use sqlx::{AnyConnection, Row as _};

use crate::{BusError, Message, QueueSpec};

pub(super) const STATE_READY: i64 = 0;
pub(super) const STATE_CLAIMED: i64 = 1;

pub(super) const MIGRATIONS: &[Migration] = &[Migration::new(
    1,
    "broker_tables",
    "CREATE TABLE bus_queues (
        name TEXT PRIMARY KEY,
        max_length BIGINT,
        ttl_ms BIGINT,
        max_priority BIGINT,
        dead_letter_queue TEXT,
        max_deliveries BIGINT NOT NULL,
        declared_at BIGINT NOT NULL);
     CREATE TABLE bus_messages (
        id {{serial}},
        queue TEXT NOT NULL,
        message_id TEXT NOT NULL,
        body {{blob}} NOT NULL,
        headers TEXT NOT NULL,
        priority BIGINT NOT NULL,
        ttl_ms BIGINT,
        state BIGINT NOT NULL,
        available_at BIGINT NOT NULL,
        expires_at BIGINT,
        delivery_count BIGINT NOT NULL,
        lease_until BIGINT,
        created_at BIGINT NOT NULL);
     CREATE INDEX bus_messages_claim ON bus_messages (queue, state, priority DESC, id);
     CREATE INDEX bus_messages_expiry ON bus_messages (expires_at) WHERE expires_at IS NOT NULL;
     CREATE INDEX bus_messages_lease ON bus_messages (lease_until) WHERE state = 1",
)];

/// Columns every statement that reads a message back returns.
pub(super) const MESSAGE_COLUMNS: &str =
    "id, message_id, body, headers, priority, ttl_ms, expires_at, delivery_count";

/// A message as stored: its row id, what was published, and how often it was delivered.
#[derive(Debug, Clone)]
pub(super) struct Stored {
    pub(super) row_id: i64,
    pub(super) message: Message,
    pub(super) delivery_count: u32,
    pub(super) expires_at: Option<i64>,
}

impl Stored {
    pub(super) fn from_row(row: &Row) -> Result<Self, BusError> {
        let headers: String = row.try_get("headers")?;
        let headers: BTreeMap<String, String> = serde_json::from_str(&headers)
            .map_err(|e| BusError::Malformed(format!("stored headers: {e}")))?;
        let ttl_ms: Option<i64> = row.try_get("ttl_ms")?;
        let priority: i64 = row.try_get("priority")?;
        let count: i64 = row.try_get("delivery_count")?;
        Ok(Self {
            row_id: row.try_get("id")?,
            message: Message {
                id: row.try_get("message_id")?,
                body: row.try_get("body")?,
                priority: u8::try_from(priority).unwrap_or(u8::MAX),
                ttl: ttl_ms.map(|ms| Duration::from_millis(u64::try_from(ms).unwrap_or(0))),
                headers,
            },
            delivery_count: u32::try_from(count).unwrap_or(u32::MAX),
            expires_at: row.try_get("expires_at")?,
        })
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// Inserts `message` as a ready row of `spec`'s queue. The priority is clamped to the queue's
/// `max_priority` (0 when it has none) and the expiry is the shorter of the two TTLs.
pub(super) async fn insert(
    conn: &mut AnyConnection,
    spec: &QueueSpec,
    message: &Message,
    now: i64,
) -> Result<(), BusError> {
    let priority = message.priority.min(spec.max_priority.unwrap_or(0));
    let ttl = match (spec.message_ttl, message.ttl) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    };
    let headers = serde_json::to_string(&message.headers)
        .map_err(|e| BusError::Malformed(format!("headers: {e}")))?;
    sqlx::query(
        "INSERT INTO bus_messages (queue, message_id, body, headers, priority, ttl_ms, state, \
         available_at, expires_at, delivery_count, lease_until, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 0, NULL, $8)",
    )
    .bind(&spec.name)
    .bind(&message.id)
    .bind(&message.body)
    .bind(headers)
    .bind(i64::from(priority))
    .bind(message.ttl.map(millis))
    .bind(STATE_READY)
    .bind(now)
    .bind(ttl.map(|t| now.saturating_add(millis(t))))
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// Persists a queue declaration (last declaration wins).
pub(super) async fn upsert_queue(
    conn: &mut AnyConnection,
    spec: &QueueSpec,
    now: i64,
) -> Result<(), BusError> {
    sqlx::query(
        "INSERT INTO bus_queues (name, max_length, ttl_ms, max_priority, dead_letter_queue, \
         max_deliveries, declared_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (name) DO UPDATE SET max_length = excluded.max_length, \
         ttl_ms = excluded.ttl_ms, max_priority = excluded.max_priority, \
         dead_letter_queue = excluded.dead_letter_queue, \
         max_deliveries = excluded.max_deliveries, declared_at = excluded.declared_at",
    )
    .bind(&spec.name)
    .bind(
        spec.max_length
            .map(|n| i64::try_from(n).unwrap_or(i64::MAX)),
    )
    .bind(spec.message_ttl.map(millis))
    .bind(spec.max_priority.map(i64::from))
    .bind(spec.dead_letter_queue.clone())
    .bind(i64::from(spec.max_deliveries))
    .bind(now)
    .execute(&mut *conn)
    .await?;
    Ok(())
}

/// A persisted queue declaration.
pub(super) fn queue_from_row(row: &Row) -> Result<QueueSpec, BusError> {
    let max_length: Option<i64> = row.try_get("max_length")?;
    let ttl_ms: Option<i64> = row.try_get("ttl_ms")?;
    let max_priority: Option<i64> = row.try_get("max_priority")?;
    let max_deliveries: i64 = row.try_get("max_deliveries")?;
    Ok(QueueSpec {
        name: row.try_get("name")?,
        max_length: max_length.map(|n| u64::try_from(n).unwrap_or(0)),
        message_ttl: ttl_ms.map(|ms| Duration::from_millis(u64::try_from(ms).unwrap_or(0))),
        max_priority: max_priority.map(|p| u8::try_from(p).unwrap_or(u8::MAX)),
        dead_letter_queue: row.try_get("dead_letter_queue")?,
        max_deliveries: u32::try_from(max_deliveries).unwrap_or(u32::MAX),
    })
}
