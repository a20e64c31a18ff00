//! Consumers with bounded concurrency. (Implementation in progress.)

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
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
    let _ = (broker, queue, options, handler, shutdown);
    todo!()
}
