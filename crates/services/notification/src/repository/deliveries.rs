//! E-mail deliveries (`PENDING → SENT | FAILED`) and their attempts.
//!
//! A worker claims a delivery before sending: the claim takes a lease (`lease_until`) on a
//! `PENDING` row, so two copies of one job (the outbox relays at least once) never send at
//! the same time, and a row already `SENT` or `FAILED` is never sent again.

use quorum_store::sqlx::{self, AnyConnection, Row as _};
use uuid::Uuid;

use quorum_service::Failure;

pub(crate) const CHANNEL_EMAIL: &str = "email";

/// A delivery to write with its notification.
#[derive(Debug, Clone)]
pub(crate) struct NewDelivery {
    pub(crate) id: Uuid,
    pub(crate) event_id: Uuid,
    pub(crate) user_id: Uuid,
    pub(crate) notification_id: Option<Uuid>,
    /// The meeting it is about, if any (its deletion deletes the e-mail).
    pub(crate) meeting_id: Option<Uuid>,
    pub(crate) kind: String,
    pub(crate) address: String,
    pub(crate) subject: String,
    pub(crate) text: String,
    pub(crate) html: String,
}

/// Inserts `d` unless this event already has an e-mail for this user; returns whether it did.
pub(crate) async fn insert(
    conn: &mut AnyConnection,
    d: &NewDelivery,
    now: i64,
) -> Result<bool, Failure> {
    let done = sqlx::query(
        "INSERT INTO deliveries (id, event_id, user_id, channel, notification_id, kind, address, \
         subject, body_text, body_html, state, attempts, created_at, updated_at, meeting_id) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'PENDING', 0, $11, $11, $12) \
         ON CONFLICT DO NOTHING",
    )
    .bind(d.id.to_string())
    .bind(d.event_id.to_string())
    .bind(d.user_id.to_string())
    .bind(CHANNEL_EMAIL)
    .bind(d.notification_id.map(|n| n.to_string()))
    .bind(&d.kind)
    .bind(&d.address)
    .bind(&d.subject)
    .bind(&d.text)
    .bind(&d.html)
    .bind(now)
    .bind(d.meeting_id.map(|m| m.to_string()))
    .execute(conn)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Deletes every e-mail about `meeting` (sent or not) with its attempts; how many. A job
/// still queued for one finds it gone and is dropped (`crate::mail::worker`).
pub(crate) async fn delete_for_meeting(
    conn: &mut AnyConnection,
    meeting: Uuid,
) -> Result<u64, Failure> {
    sqlx::query(
        "DELETE FROM attempts WHERE delivery_id IN \
         (SELECT id FROM deliveries WHERE meeting_id = $1)",
    )
    .bind(meeting.to_string())
    .execute(&mut *conn)
    .await?;
    let done = sqlx::query("DELETE FROM deliveries WHERE meeting_id = $1")
        .bind(meeting.to_string())
        .execute(conn)
        .await?;
    Ok(done.rows_affected())
}

/// An e-mail to send now.
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub(crate) id: Uuid,
    pub(crate) address: String,
    pub(crate) subject: String,
    pub(crate) text: String,
    pub(crate) html: Option<String>,
    /// This attempt's number (1 for the first).
    pub(crate) attempt: i64,
}

/// What a claim found.
#[derive(Debug)]
pub(crate) enum Claim {
    Send(Outgoing),
    /// Already `SENT` or `FAILED`: nothing to do.
    Settled(String),
    /// Another worker holds the lease.
    Busy,
    /// Gone: its meeting was deleted.
    Missing,
}

pub(crate) async fn claim(
    conn: &mut AnyConnection,
    id: Uuid,
    now: i64,
    lease_ms: i64,
) -> Result<Claim, Failure> {
    let took = sqlx::query(
        "UPDATE deliveries SET lease_until = $1, attempts = attempts + 1, updated_at = $2 \
         WHERE id = $3 AND state = 'PENDING' AND (lease_until IS NULL OR lease_until < $2)",
    )
    .bind(now + lease_ms)
    .bind(now)
    .bind(id.to_string())
    .execute(&mut *conn)
    .await?;
    let row = sqlx::query(
        "SELECT state, address, subject, body_text, body_html, attempts FROM deliveries \
         WHERE id = $1",
    )
    .bind(id.to_string())
    .fetch_optional(conn)
    .await?;
    let Some(row) = row else {
        return Ok(Claim::Missing);
    };
    let state: String = row.try_get("state")?;
    if took.rows_affected() == 1 {
        Ok(Claim::Send(Outgoing {
            id,
            address: row.try_get("address")?,
            subject: row.try_get("subject")?,
            text: row.try_get("body_text")?,
            html: row.try_get("body_html")?,
            attempt: row.try_get("attempts")?,
        }))
    } else if state == "PENDING" {
        Ok(Claim::Busy)
    } else {
        Ok(Claim::Settled(state))
    }
}

/// How one attempt ended.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Outcome {
    Sent,
    /// Will be tried again.
    Transient(String),
    /// Failed for good (a 5xx, an unusable address, or retries exhausted).
    Failed(String),
}

impl Outcome {
    fn label(&self) -> &'static str {
        match self {
            Outcome::Sent => "SENT",
            Outcome::Transient(_) => "TRANSIENT",
            Outcome::Failed(_) => "FAILED",
        }
    }
}

/// Records the attempt and moves the delivery on, releasing the lease.
pub(crate) async fn finish(
    conn: &mut AnyConnection,
    out: &Outgoing,
    outcome: &Outcome,
    now: i64,
) -> Result<(), Failure> {
    let detail = match outcome {
        Outcome::Sent => None,
        Outcome::Transient(e) | Outcome::Failed(e) => Some(e.clone()),
    };
    sqlx::query(
        "INSERT INTO attempts (delivery_id, attempt, outcome, detail, at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(out.id.to_string())
    .bind(out.attempt)
    .bind(outcome.label())
    .bind(detail.clone())
    .bind(now)
    .execute(&mut *conn)
    .await?;
    let (state, sent_at) = match outcome {
        Outcome::Sent => ("SENT", Some(now)),
        Outcome::Transient(_) => ("PENDING", None),
        Outcome::Failed(_) => ("FAILED", None),
    };
    sqlx::query(
        "UPDATE deliveries SET state = $1, sent_at = $2, last_error = COALESCE($3, last_error), \
         lease_until = NULL, updated_at = $4 WHERE id = $5",
    )
    .bind(state)
    .bind(sent_at)
    .bind(detail)
    .bind(now)
    .bind(out.id.to_string())
    .execute(conn)
    .await?;
    Ok(())
}
