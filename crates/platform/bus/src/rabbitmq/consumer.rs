//! Consuming one queue on its own channel, resubscribing after the connection comes back.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt as _;
use lapin::options::{BasicConsumeOptions, BasicQosOptions};
use lapin::types::FieldTable;
use lapin::Channel;

use super::delivery::RabbitDelivery;
use super::link::{reply_code, short, unavailable, Session, NOT_FOUND};
use super::Shared;
use crate::broker::Consumer;
use crate::{BusError, Delivery};

/// Pause before subscribing again after a failed attempt.
const RESUBSCRIBE_PAUSE: Duration = Duration::from_millis(200);

struct Active {
    channel: Channel,
    stream: lapin::Consumer,
}

pub(super) struct RabbitConsumer {
    shared: Arc<Shared>,
    queue: String,
    prefetch: u16,
    active: Option<Active>,
}

async fn subscribe(session: &Session, queue: &str, prefetch: u16) -> Result<Active, BusError> {
    let channel = session.channel().await?;
    channel
        .basic_qos(prefetch, BasicQosOptions { global: false })
        .await
        .map_err(unavailable)?;
    let tag = format!("quorum-{}", uuid::Uuid::new_v4().simple());
    let stream = channel
        .basic_consume(
            short(queue)?,
            short(&tag)?,
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await
        .map_err(|e| match reply_code(&e) {
            Some(NOT_FOUND) => BusError::UnknownQueue(queue.to_string()),
            _ => unavailable(e),
        })?;
    Ok(Active { channel, stream })
}

impl RabbitConsumer {
    /// Subscribes now, so an unknown queue or an outage is reported by `consume`.
    pub(super) async fn start(
        shared: Arc<Shared>,
        queue: &str,
        prefetch: usize,
    ) -> Result<Self, BusError> {
        let prefetch = u16::try_from(prefetch.max(1)).unwrap_or(u16::MAX);
        let session = shared.link.session()?;
        let active = subscribe(&session, queue, prefetch).await?;
        Ok(Self {
            shared,
            queue: queue.to_string(),
            prefetch,
            active: Some(active),
        })
    }

    /// Subscribes again once a connection is live; `None` when the broker was closed.
    async fn resubscribe(&mut self) -> Option<Result<(), BusError>> {
        let closed = self.shared.closed.clone();
        let session = self.shared.link.wait_session(&closed).await?;
        match subscribe(&session, &self.queue, self.prefetch).await {
            Ok(active) => {
                tracing::info!(queue = self.queue, "consumer resubscribed");
                self.active = Some(active);
                Some(Ok(()))
            }
            Err(e @ BusError::UnknownQueue(_)) => Some(Err(e)),
            Err(e) => {
                tracing::debug!(queue = self.queue, error = %e, "resubscribe failed; retrying");
                tokio::select! {
                    () = closed.cancelled() => return None,
                    () = tokio::time::sleep(RESUBSCRIBE_PAUSE) => {}
                }
                Some(Ok(()))
            }
        }
    }
}

#[async_trait]
impl Consumer for RabbitConsumer {
    async fn next(&mut self) -> Option<Result<Box<dyn Delivery>, BusError>> {
        let closed = self.shared.closed.clone();
        loop {
            if closed.is_cancelled() {
                return None;
            }
            let Some(active) = self.active.as_mut() else {
                if let Err(e) = self.resubscribe().await? {
                    return Some(Err(e));
                }
                continue;
            };
            let item = tokio::select! {
                () = closed.cancelled() => return None,
                item = active.stream.next() => item,
            };
            let raw = match item {
                Some(Ok(raw)) => raw,
                Some(Err(e)) => {
                    tracing::warn!(queue = self.queue, error = %e,
                        "consumer lost its channel; will resubscribe");
                    self.active = None;
                    continue;
                }
                None => {
                    tracing::info!(queue = self.queue, "consumer cancelled; will resubscribe");
                    self.active = None;
                    continue;
                }
            };
            let mut delivery = RabbitDelivery::new(
                self.shared.clone(),
                &self.queue,
                active.channel.clone(),
                &raw,
            );
            let max = self.shared.spec(&self.queue).max_deliveries.max(1);
            let count = delivery.count();
            if count > max {
                // Returned to the queue too often without being settled (the consumer kept
                // dying on it): dead-letter instead of delivering, as the embedded broker does.
                if let Err(e) = delivery.dead_letter_now("delivery-limit", count - 1).await {
                    tracing::warn!(queue = self.queue, error = %e,
                        "could not dead-letter an exhausted message");
                }
                continue;
            }
            return Some(Ok(Box::new(delivery)));
        }
    }
}
