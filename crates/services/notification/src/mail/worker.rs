//! E-mail workers on `notification.queue`.
//!
//! Per job: claim the delivery (a lease on a `PENDING` row — a row already `SENT` or
//! `FAILED` is acknowledged without sending, so a redelivered job never sends twice), send,
//! record the attempt in `attempts`, then:
//! - sent → `SENT`, ack;
//! - transient failure (4xx, connection, timeout) → stays `PENDING`, retry with exponential
//!   backoff (`retry_base_ms`…`retry_max_ms`);
//! - permanent failure (5xx, bad address), or a transient one on the queue's last delivery
//!   → `FAILED`, dead-letter to `notification.queue.dlq`.
//!
//! A job whose delivery is gone (deleted with its meeting, see `consumers/deletion.rs`) is
//! acknowledged without sending.
//!
//! The one gap: a crash after the server accepted the message but before `SENT` is recorded
//! sends it again when the lease expires (SMTP has no idempotency key) — at-least-once. The
//! resend carries the same `Message-ID` (the delivery id), so it is the same message to the
//! recipient's mail store, not a second notification.

use std::sync::Arc;

use async_trait::async_trait;
use quorum_bus::{Delivery, Envelope, HandleError, Handler};
use quorum_store::{now_millis, Db};

use super::{EmailJob, Mailer, SendError};
use crate::repository::deliveries::{self, Claim, Outcome};

pub(crate) struct EmailHandler {
    db: Db,
    mailer: Arc<Mailer>,
    /// Deliveries after which the queue dead-letters a job.
    max_deliveries: u32,
    /// How long a claim holds a delivery against other workers.
    lease_ms: i64,
}

impl EmailHandler {
    pub(crate) fn new(db: Db, mailer: Arc<Mailer>, max_deliveries: u32, timeout_ms: u64) -> Self {
        let lease_ms = i64::try_from(timeout_ms.saturating_mul(4)).unwrap_or(i64::MAX / 4);
        Self {
            db,
            mailer,
            max_deliveries,
            // A send is bounded by the SMTP timeout; the lease only has to outlive it.
            lease_ms: lease_ms.max(2_000),
        }
    }
}

#[async_trait]
impl Handler for EmailHandler {
    async fn handle(&self, delivery: &dyn Delivery) -> Result<(), HandleError> {
        let reject = |e: quorum_bus::BusError| HandleError::Reject(e.to_string());
        let envelope = Envelope::from_bytes(&delivery.message().body).map_err(reject)?;
        let job: EmailJob = envelope.data_as().map_err(reject)?;
        let claim = {
            let mut conn = self.db.writer().acquire().await?;
            deliveries::claim(&mut conn, job.delivery_id, now_millis(), self.lease_ms).await?
        };
        let out = match claim {
            Claim::Send(out) => out,
            Claim::Settled(state) => {
                tracing::debug!(delivery = %job.delivery_id, state, "delivery already settled");
                return Ok(());
            }
            Claim::Busy => {
                return Err(HandleError::retry(
                    "another worker is sending this delivery",
                ))
            }
            Claim::Missing => {
                // Deleted with its meeting (the job is written with the delivery, so it
                // existed): nothing to send.
                tracing::info!(delivery = %job.delivery_id, "delivery deleted; not sent");
                return Ok(());
            }
        };
        let last = delivery.delivery_count() >= self.max_deliveries;
        let (outcome, result) = match self.mailer.send(&out).await {
            Ok(()) => (Outcome::Sent, Ok(())),
            Err(SendError::Permanent(e)) => {
                (Outcome::Failed(e.clone()), Err(HandleError::Reject(e)))
            }
            Err(SendError::Transient(e)) if last => {
                let why = format!("gave up after {} attempts: {e}", out.attempt);
                (Outcome::Failed(why.clone()), Err(HandleError::Reject(why)))
            }
            Err(SendError::Transient(e)) => {
                (Outcome::Transient(e.clone()), Err(HandleError::Retry(e)))
            }
        };
        let label = match &outcome {
            Outcome::Sent => "sent",
            Outcome::Transient(_) => "retry",
            Outcome::Failed(_) => "failed",
        };
        metrics::counter!("notification_emails_total", "outcome" => label).increment(1);
        tracing::info!(delivery = %out.id, attempt = out.attempt, outcome = label, "e-mail attempt");
        let mut tx = self.db.begin().await?;
        deliveries::finish(&mut tx, &out, &outcome, now_millis()).await?;
        tx.commit().await?;
        result
    }
}
