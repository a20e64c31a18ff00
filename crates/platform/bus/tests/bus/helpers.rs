use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use quorum_bus::broker::Consumer;
use quorum_bus::{Broker, BusError, Delivery, EmbeddedBroker, EmbeddedOptions, Message, Topology};
use tempfile::TempDir;

/// Fails the test instead of hanging CI.
pub(crate) async fn within<F: Future>(secs: u64, fut: F) -> F::Output {
    tokio::time::timeout(Duration::from_secs(secs), fut)
        .await
        .expect("test timed out")
}

/// Short sweep and poll intervals so time-based behaviour shows quickly.
pub(crate) fn fast() -> EmbeddedOptions {
    EmbeddedOptions {
        sweep_interval: Duration::from_millis(50),
        poll_interval: Duration::from_millis(50),
        ..EmbeddedOptions::default()
    }
}

pub(crate) async fn open(
    path: &Path,
    options: EmbeddedOptions,
    topology: &Topology,
) -> EmbeddedBroker {
    let broker = EmbeddedBroker::open_with(path, options).await.unwrap();
    broker.declare(topology).await.unwrap();
    broker
}

/// A fresh broker in a temporary directory (keep the directory alive).
pub(crate) async fn broker(topology: &Topology) -> (TempDir, EmbeddedBroker) {
    broker_with(fast(), topology).await
}

pub(crate) async fn broker_with(
    options: EmbeddedOptions,
    topology: &Topology,
) -> (TempDir, EmbeddedBroker) {
    let dir = tempfile::tempdir().unwrap();
    let broker = open(&dir.path().join("broker.db"), options, topology).await;
    (dir, broker)
}

pub(crate) fn msg(id: &str) -> Message {
    Message::new(id, id.as_bytes().to_vec())
}

/// The next delivery, failing after 5 s.
pub(crate) async fn next(consumer: &mut Box<dyn Consumer>) -> Box<dyn Delivery> {
    tokio::time::timeout(Duration::from_secs(5), consumer.next())
        .await
        .expect("no delivery within 5 s")
        .expect("consumer closed")
        .expect("consume failed")
}

/// Asserts nothing is delivered within `ms`.
pub(crate) async fn nothing_within(consumer: &mut Box<dyn Consumer>, ms: u64) {
    if let Ok(d) = tokio::time::timeout(Duration::from_millis(ms), consumer.next()).await {
        let d = d.expect("consumer closed").expect("consume failed");
        panic!("unexpected delivery {:?}", d.message().id);
    }
}

/// Acks everything in `queue` and returns the message ids in delivery order.
pub(crate) async fn drain(broker: &dyn Broker, queue: &str) -> Vec<String> {
    let mut consumer = broker.consume(queue, 100).await.unwrap();
    let mut ids = Vec::new();
    while let Ok(Some(d)) = tokio::time::timeout(Duration::from_millis(200), consumer.next()).await
    {
        let d = d.unwrap();
        ids.push(d.message().id.clone());
        d.ack().await.unwrap();
    }
    ids
}

/// A real broker whose publishes fail with `Unavailable` until switched on, and which
/// records what it accepted.
pub(crate) struct Flaky {
    pub(crate) inner: Arc<dyn Broker>,
    pub(crate) online: AtomicBool,
    pub(crate) failed: AtomicUsize,
    pub(crate) accepted: Mutex<Vec<String>>,
    /// Pause inside each publish, to widen race windows.
    pub(crate) pause: Duration,
}

impl Flaky {
    pub(crate) fn new(inner: Arc<dyn Broker>, online: bool) -> Self {
        Self {
            inner,
            online: AtomicBool::new(online),
            failed: AtomicUsize::new(0),
            accepted: Mutex::new(Vec::new()),
            pause: Duration::ZERO,
        }
    }
    pub(crate) fn accepted(&self) -> Vec<String> {
        self.accepted.lock().unwrap().clone()
    }
}

#[async_trait]
impl Broker for Flaky {
    async fn declare(&self, topology: &Topology) -> Result<(), BusError> {
        self.inner.declare(topology).await
    }
    async fn publish(&self, exchange: &str, key: &str, message: Message) -> Result<(), BusError> {
        if !self.online.load(Ordering::SeqCst) {
            self.failed.fetch_add(1, Ordering::SeqCst);
            return Err(BusError::Unavailable("switched off by the test".into()));
        }
        if !self.pause.is_zero() {
            tokio::time::sleep(self.pause).await;
        }
        let id = message.id.clone();
        self.inner.publish(exchange, key, message).await?;
        self.accepted.lock().unwrap().push(id);
        Ok(())
    }
    async fn send(&self, queue: &str, message: Message) -> Result<(), BusError> {
        self.inner.send(queue, message).await
    }
    async fn consume(&self, queue: &str, prefetch: usize) -> Result<Box<dyn Consumer>, BusError> {
        self.inner.consume(queue, prefetch).await
    }
    async fn queue_depth(&self, queue: &str) -> Result<u64, BusError> {
        self.inner.queue_depth(queue).await
    }
    async fn ping(&self) -> Result<(), BusError> {
        self.inner.ping().await
    }
    fn kind(&self) -> &'static str {
        "flaky"
    }
}

/// Polls `check` every 20 ms until it holds (bounded by the caller's `within`).
pub(crate) async fn eventually<F, Fut>(mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    while !check().await {
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}
