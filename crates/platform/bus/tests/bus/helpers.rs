use std::future::Future;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use async_trait::async_trait;
use quorum_bus::broker::Consumer;
use quorum_bus::{
    Broker, BusError, Delivery, EmbeddedBroker, EmbeddedOptions, Message, RabbitBroker,
    RabbitOptions, Topology,
};
use tempfile::TempDir;

/// Environment variable naming a RabbitMQ URL; when set, the shared suite also runs there.
pub(crate) const AMQP_ENV: &str = "QUORUM_TEST_AMQP_URL";

/// Which broker a shared test runs against.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Backend {
    Embedded,
    Rabbit,
    /// RabbitMQ with quorum queues.
    RabbitQuorum,
}

/// The RabbitMQ URL, or `None` (with a note) when the RabbitMQ run is not configured.
pub(crate) fn amqp_url() -> Option<String> {
    match std::env::var(AMQP_ENV) {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            eprintln!("{AMQP_ENV} not set; RabbitMQ run skipped");
            None
        }
    }
}

/// One test's broker: names made unique with [`Fixture::n`], everything it declared deleted
/// when it is dropped (also after a failed assertion).
pub(crate) struct Fixture {
    pub(crate) broker: Arc<dyn Broker>,
    pub(crate) backend: Backend,
    prefix: String,
    declared: Mutex<Vec<Topology>>,
    rabbit: Option<(String, RabbitOptions)>,
    _dir: Option<TempDir>,
}

impl Fixture {
    /// A fresh broker of `backend`, or `None` when that backend is not configured.
    pub(crate) async fn new(backend: Backend) -> Option<Self> {
        let prefix = format!("t{}.", &uuid::Uuid::new_v4().simple().to_string()[..10]);
        let (broker, rabbit, dir): (Arc<dyn Broker>, _, _) = match backend {
            Backend::Embedded => {
                let dir = tempfile::tempdir().unwrap();
                let b = EmbeddedBroker::open_with(&dir.path().join("broker.db"), fast())
                    .await
                    .unwrap();
                (Arc::new(b), None, Some(dir))
            }
            Backend::Rabbit | Backend::RabbitQuorum => {
                let url = amqp_url()?;
                let options = RabbitOptions {
                    quorum_queues: backend == Backend::RabbitQuorum,
                    ..RabbitOptions::default()
                };
                let b = RabbitBroker::connect(&url, options.clone()).await.unwrap();
                (Arc::new(b), Some((url, options)), None)
            }
        };
        Some(Self {
            broker,
            backend,
            prefix,
            declared: Mutex::new(Vec::new()),
            rabbit,
            _dir: dir,
        })
    }

    /// `name`, unique to this test.
    pub(crate) fn n(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    pub(crate) fn is_rabbit(&self) -> bool {
        self.backend != Backend::Embedded
    }

    pub(crate) async fn declare(&self, topology: &Topology) {
        self.declared.lock().unwrap().push(topology.clone());
        self.broker.declare(topology).await.unwrap();
    }
}

impl Drop for Fixture {
    fn drop(&mut self) {
        let Some((url, options)) = self.rabbit.take() else {
            return;
        };
        let declared = std::mem::take(&mut *self.declared.lock().unwrap());
        // The test's runtime is going away: tear down on a runtime of our own.
        let done = std::thread::spawn(move || {
            let rt = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .unwrap();
            rt.block_on(async {
                let b = RabbitBroker::connect(&url, options).await.unwrap();
                for t in declared {
                    if let Err(e) = b.delete(&t).await {
                        eprintln!("cleanup failed: {e}");
                    }
                }
                b.close().await;
            });
        });
        let _ = done.join();
    }
}

/// Declares the test functions named as a module each with an `embedded`, a `rabbitmq`
/// (classic queues) and a `rabbitmq_quorum` test (the RabbitMQ ones are no-ops unless
/// `QUORUM_TEST_AMQP_URL` is set).
macro_rules! on_both_brokers {
    ($($name:ident),+ $(,)?) => {$(
        mod $name {
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn embedded() {
                super::$name($crate::helpers::Backend::Embedded).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn rabbitmq() {
                super::$name($crate::helpers::Backend::Rabbit).await
            }
            #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn rabbitmq_quorum() {
                super::$name($crate::helpers::Backend::RabbitQuorum).await
            }
        }
    )+};
}
pub(crate) use on_both_brokers;

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
