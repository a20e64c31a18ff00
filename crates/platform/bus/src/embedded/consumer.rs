//! Consuming one queue: prefetch slots, batched claims, and waiting without busy polling.

use std::collections::VecDeque;
use std::sync::{Arc, Mutex, PoisonError};

use async_trait::async_trait;
use tokio::sync::Semaphore;

use super::delivery::EmbeddedDelivery;
use super::ops;
use super::state::Inner;
use crate::broker::Consumer;
use crate::{BusError, Delivery};

/// Most messages one claim statement takes.
const MAX_CLAIM: usize = 64;

type Buffer = Arc<Mutex<VecDeque<EmbeddedDelivery>>>;

pub(super) struct EmbeddedConsumer {
    inner: Arc<Inner>,
    queue: String,
    /// `prefetch` permits; every claimed delivery holds one until it is settled or dropped.
    slots: Arc<Semaphore>,
    /// Claimed but not yet handed out.
    buffer: Buffer,
}

impl EmbeddedConsumer {
    pub(super) fn new(inner: Arc<Inner>, queue: &str, prefetch: usize) -> Self {
        Self {
            inner,
            queue: queue.to_string(),
            slots: Arc::new(Semaphore::new(prefetch.max(1))),
            buffer: Arc::new(Mutex::new(VecDeque::new())),
        }
    }

    fn pop(&self) -> Option<EmbeddedDelivery> {
        self.buffer
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .pop_front()
    }
}

/// Claims as many messages as there are `slots` and buffers them. Runs as its own task so a
/// caller that stops waiting (a `select!` that picked shutdown) cannot lose claimed rows:
/// they land in the buffer and are either handed out later or released when it is dropped.
async fn fill(
    inner: Arc<Inner>,
    queue: String,
    mut slots: Vec<tokio::sync::OwnedSemaphorePermit>,
    buffer: Buffer,
) -> Result<usize, BusError> {
    let claimed = ops::claim(&inner, &queue, slots.len()).await?;
    let n = claimed.len();
    let mut out = buffer.lock().unwrap_or_else(PoisonError::into_inner);
    for stored in claimed {
        // `claim` returns at most `slots.len()` rows, so a slot is always left.
        let Some(slot) = slots.pop() else { break };
        out.push_back(EmbeddedDelivery::new(
            inner.clone(),
            queue.clone(),
            stored,
            slot,
        ));
    }
    Ok(n)
}

#[async_trait]
impl Consumer for EmbeddedConsumer {
    async fn next(&mut self) -> Option<Result<Box<dyn Delivery>, BusError>> {
        let closed = self.inner.closed.clone();
        loop {
            if let Some(d) = self.pop() {
                return Some(Ok(Box::new(d)));
            }
            if closed.is_cancelled() {
                return None;
            }
            let first = tokio::select! {
                biased;
                () = closed.cancelled() => return None,
                slot = self.slots.clone().acquire_owned() => slot.ok()?,
            };
            let mut slots = vec![first];
            while slots.len() < MAX_CLAIM {
                match self.slots.clone().try_acquire_owned() {
                    Ok(s) => slots.push(s),
                    Err(_) => break,
                }
            }
            // Register for the wake-up before looking, so a publish in between is not missed.
            let notify = self.inner.notify(&self.queue);
            let notified = notify.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();

            let task = tokio::spawn(fill(
                self.inner.clone(),
                self.queue.clone(),
                slots,
                self.buffer.clone(),
            ));
            match task.await {
                Ok(Ok(0)) => {
                    tokio::select! {
                        () = closed.cancelled() => return None,
                        () = &mut notified => {}
                        () = tokio::time::sleep(self.inner.options.poll_interval) => {}
                    }
                }
                Ok(Ok(_)) => {}
                Ok(Err(_)) if closed.is_cancelled() => return None,
                Ok(Err(e)) => return Some(Err(e)),
                Err(e) => {
                    return Some(Err(BusError::Unavailable(format!(
                        "claim task failed: {e}"
                    ))))
                }
            }
        }
    }
}
