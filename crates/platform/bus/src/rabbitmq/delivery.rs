//! A delivery and how it is settled: ack, delayed nack through a retry queue, dead-letter.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use lapin::options::{BasicAckOptions, BasicNackOptions};
use lapin::types::{AMQPValue, LongString};
use lapin::{Acker, Channel};

use super::convert::{self, Incoming, PRIOR_DELIVERIES, PRIOR_QUEUE};
use super::link::unavailable;
use super::publish::{raw, Outcome};
use super::{declare, retry, Shared};
use crate::broker::headers::{DEATH_REASON, DELIVERY_COUNT, ORIGINAL_QUEUE};
use crate::{BusError, Delivery, Message};

/// Settling over a channel that closed (connection lost) is impossible; RabbitMQ has
/// already put the message back and delivers it again.
fn channel_gone() -> BusError {
    BusError::Unavailable(
        "the delivery's channel is closed; the message will be delivered again".into(),
    )
}

pub(super) struct RabbitDelivery {
    shared: Arc<Shared>,
    queue: String,
    /// Keeps the consumer's channel open until this is settled: acks go over it, and
    /// closing it would send every unacked message of the consumer back to the queue.
    channel: Channel,
    acker: Acker,
    incoming: Incoming,
    settled: bool,
}

impl RabbitDelivery {
    pub(super) fn new(
        shared: Arc<Shared>,
        queue: &str,
        channel: Channel,
        delivery: &lapin::message::Delivery,
    ) -> Self {
        Self {
            incoming: convert::incoming(queue, delivery),
            shared,
            queue: queue.to_string(),
            channel,
            acker: delivery.acker.clone(),
            settled: false,
        }
    }

    pub(super) fn count(&self) -> u32 {
        self.incoming.delivery_count
    }

    async fn ack_now(&mut self) -> Result<(), BusError> {
        let sent = self
            .acker
            .ack(BasicAckOptions::default())
            .await
            .map_err(unavailable)?;
        self.settled = true;
        if sent {
            Ok(())
        } else {
            Err(channel_gone())
        }
    }

    /// Publishes a copy to the dead-letter queue with the dead-letter headers, then acks.
    pub(super) async fn dead_letter_now(
        &mut self,
        reason: &str,
        delivered: u32,
    ) -> Result<(), BusError> {
        let spec = self.shared.spec(&self.queue);
        let id = self.incoming.message.id.clone();
        let Some(dlq) = spec.dead_letter_queue else {
            tracing::warn!(
                queue = self.queue,
                message_id = id,
                reason,
                "message discarded: its queue has no dead-letter queue"
            );
            return self.ack_now().await;
        };
        tracing::info!(
            queue = self.queue,
            message_id = id,
            reason,
            "dead-lettering"
        );
        let mut message: Message = self.incoming.message.clone();
        message.ttl = None;
        message.headers.insert(DEATH_REASON.into(), reason.into());
        message
            .headers
            .insert(ORIGINAL_QUEUE.into(), self.queue.clone());
        message
            .headers
            .insert(DELIVERY_COUNT.into(), delivered.to_string());
        let props = convert::properties(&message, &[], false)?;
        match raw(&self.shared, "", &dlq, &message.body, props).await? {
            Outcome::Stored => {}
            Outcome::Returned => return Err(BusError::UnknownQueue(dlq)),
            Outcome::Nacked => {
                return Err(BusError::QueueFull {
                    queue: dlq,
                    max_length: 0,
                })
            }
        }
        let label: &'static str = match reason {
            "expired" => "expired",
            "delivery-limit" => "delivery-limit",
            _ => "rejected",
        };
        metrics::counter!("bus_dead_lettered_total",
            "queue" => self.queue.clone(), "reason" => label)
        .increment(1);
        self.ack_now().await
    }

    /// Republishes to the retry queue for `delay` (or the queue itself for no delay), with
    /// the delivery count recorded, then acks. Returns `false` if the queue itself is full.
    async fn republish(&mut self, delay: Duration) -> Result<bool, BusError> {
        let extra = [
            (
                PRIOR_DELIVERIES,
                AMQPValue::LongLongInt(i64::from(self.count())),
            ),
            (
                PRIOR_QUEUE,
                AMQPValue::LongString(LongString::from(self.queue.as_str())),
            ),
        ];
        let message = &self.incoming.message;
        for attempt in 0..2 {
            let target = if delay.is_zero() {
                self.queue.clone()
            } else {
                let session = self.shared.link.session()?;
                declare::retry_queue(&self.shared, &session, &self.queue, retry::tier(delay))
                    .await?
            };
            let props = convert::properties(message, &extra, false)?;
            match raw(&self.shared, "", &target, &message.body, props).await? {
                Outcome::Stored => return Ok(true),
                Outcome::Nacked => return Ok(false),
                // The retry queue was deleted behind our back: declare it again, once.
                Outcome::Returned if attempt == 0 && target != self.queue => {
                    declare::forget_retry(&self.shared, &target);
                }
                Outcome::Returned => return Err(BusError::UnknownQueue(target)),
            }
        }
        Err(BusError::Unavailable("retry queue vanished twice".into()))
    }
}

#[async_trait]
impl Delivery for RabbitDelivery {
    fn message(&self) -> &Message {
        &self.incoming.message
    }

    fn queue(&self) -> &str {
        &self.queue
    }

    fn delivery_count(&self) -> u32 {
        self.count()
    }

    async fn ack(mut self: Box<Self>) -> Result<(), BusError> {
        self.ack_now().await
    }

    async fn nack(mut self: Box<Self>, delay: Duration) -> Result<(), BusError> {
        let max = self.shared.spec(&self.queue).max_deliveries;
        let count = self.count();
        if count >= max {
            return self.dead_letter_now("delivery-limit", count).await;
        }
        if self.republish(delay).await? {
            return self.ack_now().await;
        }
        // The queue is at its max-length: give it back in place instead (RabbitMQ accepts
        // a requeue beyond the limit); the count then relies on the redelivered flag.
        tracing::warn!(
            queue = self.queue,
            "queue full; message requeued without delay"
        );
        let sent = self
            .acker
            .nack(BasicNackOptions {
                multiple: false,
                requeue: true,
            })
            .await
            .map_err(unavailable)?;
        self.settled = true;
        if sent {
            Ok(())
        } else {
            Err(channel_gone())
        }
    }

    async fn dead_letter(mut self: Box<Self>, reason: &str) -> Result<(), BusError> {
        let count = self.count();
        self.dead_letter_now(reason, count).await
    }
}

impl Drop for RabbitDelivery {
    /// A delivery dropped unsettled goes back to its queue at once (`basic.nack` with
    /// requeue); without a runtime, closing the channel later does the same.
    fn drop(&mut self) {
        if self.settled {
            return;
        }
        let Ok(handle) = tokio::runtime::Handle::try_current() else {
            return;
        };
        let acker = self.acker.clone();
        let channel = self.channel.clone();
        handle.spawn(async move {
            let options = BasicNackOptions {
                multiple: false,
                requeue: true,
            };
            if let Err(e) = acker.nack(options).await {
                tracing::debug!(error = %e, "could not requeue an unsettled delivery");
            }
            drop(channel);
        });
    }
}
