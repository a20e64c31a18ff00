//! A claimed message and how it is settled.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use quorum_store::now_millis;
use tokio::sync::OwnedSemaphorePermit;

use super::ops;
use super::schema::Stored;
use super::state::Inner;
use crate::{BusError, Delivery, Message};

pub(super) struct EmbeddedDelivery {
    inner: Arc<Inner>,
    queue: String,
    stored: Stored,
    settled: bool,
    /// One of the consumer's prefetch slots, given back when this is dropped.
    _slot: OwnedSemaphorePermit,
}

impl EmbeddedDelivery {
    pub(super) fn new(
        inner: Arc<Inner>,
        queue: String,
        stored: Stored,
        slot: OwnedSemaphorePermit,
    ) -> Self {
        Self {
            inner,
            queue,
            stored,
            settled: false,
            _slot: slot,
        }
    }

    async fn dead_letter_now(&mut self, reason: &str) -> Result<(), BusError> {
        let now = now_millis();
        let mut tx = self.inner.db.begin().await?;
        let woken = ops::dead_letter(
            &self.inner,
            &mut tx,
            &self.queue,
            &self.stored,
            reason,
            self.stored.delivery_count,
            now,
        )
        .await?;
        tx.commit().await?;
        self.settled();
        if let Some(q) = woken {
            self.inner.wake(&q);
        }
        Ok(())
    }

    fn settled(&mut self) {
        self.settled = true;
        self.inner.unmark_live(self.stored.row_id);
    }
}

#[async_trait]
impl Delivery for EmbeddedDelivery {
    fn message(&self) -> &Message {
        &self.stored.message
    }

    fn queue(&self) -> &str {
        &self.queue
    }

    fn delivery_count(&self) -> u32 {
        self.stored.delivery_count
    }

    async fn ack(mut self: Box<Self>) -> Result<(), BusError> {
        sqlx::query("DELETE FROM bus_messages WHERE id = $1")
            .bind(self.stored.row_id)
            .execute(self.inner.db.writer())
            .await?;
        self.settled();
        Ok(())
    }

    async fn nack(mut self: Box<Self>, delay: Duration) -> Result<(), BusError> {
        let max = self.inner.queue(&self.queue)?.max_deliveries;
        if self.stored.delivery_count >= max {
            return self.dead_letter_now("delivery-limit").await;
        }
        let delay_ms = i64::try_from(delay.as_millis()).unwrap_or(i64::MAX);
        ops::release(&self.inner, self.stored.row_id, delay_ms).await?;
        self.settled();
        if delay.is_zero() {
            self.inner.wake(&self.queue);
        } else {
            // Wake waiting consumers when it becomes due (they also poll, this is for latency).
            let inner = Arc::downgrade(&self.inner);
            let queue = self.queue.clone();
            tokio::spawn(async move {
                tokio::time::sleep(delay).await;
                if let Some(inner) = inner.upgrade() {
                    inner.wake(&queue);
                }
            });
        }
        Ok(())
    }

    async fn dead_letter(mut self: Box<Self>, reason: &str) -> Result<(), BusError> {
        self.dead_letter_now(reason).await
    }
}

impl Drop for EmbeddedDelivery {
    /// A delivery dropped unsettled (its handler was cancelled, or the consumer was dropped
    /// with messages still buffered) is made ready again at once. If no runtime is left to do
    /// that, the row is handed to the lease sweep (or to the reset on the next open).
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let row_id = self.stored.row_id;
        self.inner.unmark_live(row_id);
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let inner = self.inner.clone();
        let queue = self.queue.clone();
        handle.spawn(async move {
            match ops::release(&inner, row_id, 0).await {
                Ok(()) => inner.wake(&queue),
                Err(e) => tracing::debug!(%e, row_id, "could not release an unsettled delivery"),
            }
        });
    }
}
