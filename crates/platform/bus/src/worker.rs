//! Consumers with bounded concurrency.
//!
//! Metrics: counter `bus_messages_processed_total{queue,outcome}` (`ok`, `retry`, `reject`;
//! a panicking handler counts as `retry`) and histogram `bus_handler_duration_seconds{queue}`.

use std::panic::AssertUnwindSafe;
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures::FutureExt as _;
use rand::Rng as _;
use tokio::sync::{OwnedSemaphorePermit, Semaphore};
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;

use crate::broker::Delivery;
use crate::Broker;

/// What went wrong while handling a message.
#[derive(Debug, thiserror::Error)]
pub enum HandleError {
    /// Transient: redeliver after a backoff (dead-lettered after `max_deliveries`).
    #[error("retry: {0}")]
    Retry(String),
    /// Permanent: dead-letter now.
    #[error("reject: {0}")]
    Reject(String),
}

/// Handles one message. Must be idempotent: a message can be delivered more than once.
#[async_trait]
pub trait Handler: Send + Sync + 'static {
    async fn handle(&self, delivery: &dyn Delivery) -> Result<(), HandleError>;
}

#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Messages handled at once (also the prefetch).
    pub concurrency: usize,
    /// First retry delay; doubles per delivery, with jitter, up to `backoff_max`.
    pub backoff_base: Duration,
    pub backoff_max: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            concurrency: 4,
            backoff_base: Duration::from_millis(200),
            backoff_max: Duration::from_secs(30),
        }
    }
}

impl WorkerOptions {
    /// The delay before redelivering a message that failed on its `delivery_count`-th
    /// delivery: `backoff_base * 2^(n-1)`, capped at `backoff_max`, times a random factor in
    /// `[0.5, 1]` so that failures do not retry in lockstep.
    pub fn backoff(&self, delivery_count: u32) -> Duration {
        let exp = delivery_count.saturating_sub(1).min(30);
        let full = self
            .backoff_base
            .saturating_mul(1_u32 << exp)
            .min(self.backoff_max);
        full.mul_f64(rand::thread_rng().gen_range(0.5..=1.0))
    }
}

/// Consumes `queue` until `shutdown`, running `handler` on at most `concurrency` messages at
/// once; acks on success, nacks with backoff on `Retry`, dead-letters on `Reject`. On
/// shutdown it stops taking messages and waits for those in flight.
pub fn spawn_workers(
    broker: Arc<dyn Broker>,
    queue: &str,
    options: WorkerOptions,
    handler: Arc<dyn Handler>,
    shutdown: CancellationToken,
) -> tokio::task::JoinHandle<()> {
    let queue: Arc<str> = Arc::from(queue);
    tokio::spawn(run(broker, queue, options, handler, shutdown))
}

/// Pause after a failure to start consuming or to claim.
const ERROR_PAUSE: Duration = Duration::from_secs(1);

async fn run(
    broker: Arc<dyn Broker>,
    queue: Arc<str>,
    options: WorkerOptions,
    handler: Arc<dyn Handler>,
    shutdown: CancellationToken,
) {
    let concurrency = options.concurrency.max(1);
    let mut consumer = loop {
        match broker.consume(&queue, concurrency).await {
            Ok(c) => break c,
            Err(e) => {
                tracing::warn!(queue = &*queue, error = %e, "cannot consume yet; retrying");
                tokio::select! {
                    () = shutdown.cancelled() => return,
                    () = tokio::time::sleep(ERROR_PAUSE) => {}
                }
            }
        }
    };
    let slots = Arc::new(Semaphore::new(concurrency));
    let mut running = JoinSet::new();
    loop {
        while let Some(done) = running.try_join_next() {
            if let Err(e) = done {
                tracing::error!(queue = &*queue, error = %e, "worker task failed");
            }
        }
        let slot = tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            slot = slots.clone().acquire_owned() => slot,
        };
        // The semaphore is never closed.
        let Ok(slot) = slot else { break };
        let next = tokio::select! {
            biased;
            () = shutdown.cancelled() => break,
            next = consumer.next() => next,
        };
        match next {
            None => break,
            Some(Err(e)) => {
                tracing::warn!(queue = &*queue, error = %e, "claiming failed; pausing");
                tokio::select! {
                    () = shutdown.cancelled() => break,
                    () = tokio::time::sleep(ERROR_PAUSE) => {}
                }
            }
            Some(Ok(delivery)) => {
                let job = handle_one(
                    handler.clone(),
                    delivery,
                    queue.clone(),
                    options.clone(),
                    slot,
                );
                running.spawn(job);
            }
        }
    }
    // Messages claimed but not started go back to the queue when the consumer is dropped.
    drop(consumer);
    while running.join_next().await.is_some() {}
    tracing::debug!(queue = &*queue, "workers stopped");
}

async fn handle_one(
    handler: Arc<dyn Handler>,
    delivery: Box<dyn Delivery>,
    queue: Arc<str>,
    options: WorkerOptions,
    _slot: OwnedSemaphorePermit,
) {
    let started = Instant::now();
    let result = AssertUnwindSafe(handler.handle(&*delivery))
        .catch_unwind()
        .await;
    metrics::histogram!("bus_handler_duration_seconds", "queue" => queue.to_string())
        .record(started.elapsed().as_secs_f64());
    let id = delivery.message().id.clone();
    let count = delivery.delivery_count();
    let (outcome, settled) = match result {
        Ok(Ok(())) => ("ok", delivery.ack().await),
        Ok(Err(HandleError::Retry(reason))) => {
            let delay = options.backoff(count);
            tracing::info!(
                queue = &*queue,
                message_id = id,
                delivery = count,
                reason,
                retry_in_ms = delay.as_millis() as u64,
                "handler asked to retry"
            );
            ("retry", delivery.nack(delay).await)
        }
        Ok(Err(HandleError::Reject(reason))) => {
            tracing::warn!(
                queue = &*queue,
                message_id = id,
                reason,
                "handler rejected message"
            );
            ("reject", delivery.dead_letter(&reason).await)
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_default();
            tracing::error!(
                queue = &*queue,
                message_id = id,
                panic = what,
                "handler panicked"
            );
            ("retry", delivery.nack(options.backoff(count)).await)
        }
    };
    metrics::counter!("bus_messages_processed_total",
        "queue" => queue.to_string(), "outcome" => outcome)
    .increment(1);
    if let Err(e) = settled {
        tracing::warn!(queue = &*queue, message_id = id, error = %e,
            "could not settle message; it will be delivered again");
    }
}
