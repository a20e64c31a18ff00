//! The broker contract. It follows AMQP 0-9-1 semantics so that the embedded broker and
//! RabbitMQ are interchangeable: publish to a topic exchange (or straight to a queue), consume
//! with a prefetch bound, and settle each delivery with ack, nack (redeliver later) or
//! dead-letter.

use std::collections::BTreeMap;
use std::time::Duration;

use async_trait::async_trait;

use crate::{BusError, Topology};

/// A message as published.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Message {
    /// Opaque id (the envelope id for events, the task id for jobs).
    pub id: String,
    pub body: Vec<u8>,
    /// 0 (default) to the queue's `max_priority`.
    pub priority: u8,
    /// Per-message TTL; the shorter of this and the queue's TTL applies.
    pub ttl: Option<Duration>,
    pub headers: BTreeMap<String, String>,
}

impl Message {
    pub fn new(id: impl Into<String>, body: Vec<u8>) -> Self {
        Self {
            id: id.into(),
            body,
            ..Self::default()
        }
    }
}

/// A message handed to a consumer. Exactly one of the settle methods must be called; a
/// delivery dropped unsettled (the process died) is delivered again.
#[async_trait]
pub trait Delivery: Send + Sync {
    fn message(&self) -> &Message;
    /// The queue it came from.
    fn queue(&self) -> &str;
    /// 1 on the first delivery, 2 on the first redelivery, …
    fn delivery_count(&self) -> u32;
    /// Done: remove it.
    async fn ack(self: Box<Self>) -> Result<(), BusError>;
    /// Failed for now: deliver again after `delay`, or dead-letter it if it has reached the
    /// queue's `max_deliveries`.
    async fn nack(self: Box<Self>, delay: Duration) -> Result<(), BusError>;
    /// Failed for good: move it to the dead-letter queue now, with `reason`.
    async fn dead_letter(self: Box<Self>, reason: &str) -> Result<(), BusError>;
}

/// A stream of deliveries from one queue.
#[async_trait]
pub trait Consumer: Send {
    /// The next delivery; `None` when the consumer was closed.
    async fn next(&mut self) -> Option<Result<Box<dyn Delivery>, BusError>>;
}

#[async_trait]
pub trait Broker: Send + Sync + 'static {
    /// Declares exchanges, queues (with their dead-letter queues) and bindings. Idempotent.
    async fn declare(&self, topology: &Topology) -> Result<(), BusError>;
    /// Routes `message` through a topic exchange to every bound queue. Fails with
    /// `Unroutable` when no queue matches and `QueueFull` when a target queue is at its
    /// max-length (the embedded broker then enqueues it nowhere; RabbitMQ's reject-publish
    /// still enqueues it in the other target queues). Returns once the broker has stored it.
    async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        message: Message,
    ) -> Result<(), BusError>;
    /// Puts `message` straight onto `queue` (AMQP's default exchange).
    async fn send(&self, queue: &str, message: Message) -> Result<(), BusError>;
    /// Starts consuming `queue` with at most `prefetch` unsettled deliveries.
    async fn consume(&self, queue: &str, prefetch: usize) -> Result<Box<dyn Consumer>, BusError>;
    /// Messages ready in `queue` (not counting those being processed).
    async fn queue_depth(&self, queue: &str) -> Result<u64, BusError>;
    /// Round trip for readiness.
    async fn ping(&self) -> Result<(), BusError>;
    /// A short name for health output: `embedded`, `rabbitmq`.
    fn kind(&self) -> &'static str;
}

/// Headers a broker sets on a message it dead-letters.
pub mod headers {
    /// Why: `expired`, `delivery-limit` (nacked `max_deliveries` times), or the reason the
    /// handler gave to [`Delivery::dead_letter`](super::Delivery::dead_letter).
    pub const DEATH_REASON: &str = "x-death-reason";
    /// The queue the message was dead-lettered from.
    pub const ORIGINAL_QUEUE: &str = "x-original-queue";
    /// How many times it had been delivered before.
    pub const DELIVERY_COUNT: &str = "x-delivery-count";
}
