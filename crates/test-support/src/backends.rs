//! The broker, cache, task store and revocation list a service test runs on: the embedded
//! ones by default, and the production ones when their servers are named —
//! RabbitMQ by `QUORUM_TEST_AMQP_URL` (a virtual host `t_svc_…` of its own per test, made
//! with `rabbitmqctl` and deleted when the broker is dropped), Redis by
//! `QUORUM_TEST_REDIS_URL` (a key prefix `t_svc_…:` of its own per test; every key it
//! writes has a TTL). So one suite proves both sets of backends.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use quorum_auth::{MemoryRevocationList, RevocationList, SharedRevocationList};
use quorum_bus::broker::Consumer;
use quorum_bus::Topology;
use quorum_bus::{Broker, BusError, EmbeddedBroker, Message, RabbitBroker, RabbitOptions};
use quorum_cache::{CacheStore, MemoryStore, RedisStore, TieredStore};
use quorum_tasks::{MemoryTaskStore, RedisTaskStore, TaskStore};

/// Environment variable naming a RabbitMQ URL; when set, tests use RabbitMQ.
pub const AMQP_ENV: &str = "QUORUM_TEST_AMQP_URL";
/// Environment variable naming a Redis URL; when set, tests use Redis.
pub const REDIS_ENV: &str = "QUORUM_TEST_REDIS_URL";

fn env_url(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|u| !u.trim().is_empty())
}

/// `t_svc_<random>`: a name no other test uses.
fn unique_name() -> String {
    format!("t_svc_{}", &uuid::Uuid::new_v4().simple().to_string()[..16])
}

/// Whether the tests run on RabbitMQ (`QUORUM_TEST_AMQP_URL` is set).
pub fn on_rabbitmq() -> bool {
    env_url(AMQP_ENV).is_some()
}

/// A broker with `topology` declared: RabbitMQ in a virtual host of its own when
/// `QUORUM_TEST_AMQP_URL` is set, else an embedded broker stored in `dir` (`broker.db`).
pub async fn broker(dir: &Path, topology: &Topology) -> Arc<dyn Broker> {
    let broker: Arc<dyn Broker> = match env_url(AMQP_ENV) {
        Some(url) => Arc::new(VhostBroker::create(&url).await),
        None => Arc::new(
            EmbeddedBroker::open(&dir.join("broker.db"))
                .await
                .expect("open the embedded broker"),
        ),
    };
    broker
        .declare(topology)
        .await
        .expect("declare the topology");
    broker
}

/// A cache store: Redis behind an in-process L1 (as production builds it) under a key prefix
/// of its own when `QUORUM_TEST_REDIS_URL` is set, else an in-process store; at most
/// `max_entries` in process either way.
pub fn cache(max_entries: u64) -> Arc<dyn CacheStore> {
    match env_url(REDIS_ENV) {
        Some(url) => {
            let l2 = RedisStore::new(&url, &format!("{}:", unique_name()))
                .expect("QUORUM_TEST_REDIS_URL is a Redis URL");
            Arc::new(TieredStore::new(l2, max_entries, Duration::from_secs(60)))
        }
        None => Arc::new(MemoryStore::new(max_entries)),
    }
}

/// A task store: Redis under a key prefix of its own when `QUORUM_TEST_REDIS_URL` is set,
/// else in process.
pub fn task_store() -> Arc<dyn TaskStore> {
    match env_url(REDIS_ENV) {
        Some(url) => Arc::new(
            RedisTaskStore::new(&url, &format!("{}:", unique_name()))
                .expect("QUORUM_TEST_REDIS_URL is a Redis URL"),
        ),
        None => Arc::new(MemoryTaskStore::new()),
    }
}

/// A revocation list: shared through Redis (under a key prefix of its own) when
/// `QUORUM_TEST_REDIS_URL` is set, else in process.
pub fn revocations() -> Arc<dyn RevocationList> {
    match env_url(REDIS_ENV) {
        Some(url) => {
            let store = RedisStore::new(&url, &format!("{}:", unique_name()))
                .expect("QUORUM_TEST_REDIS_URL is a Redis URL");
            Arc::new(SharedRevocationList::new(Arc::new(store)))
        }
        None => Arc::new(MemoryRevocationList::new()),
    }
}

/// Runs `rabbitmqctl -q <args>`; panics with its output when it fails.
fn rabbitmqctl(args: &[&str]) {
    let out = Command::new("rabbitmqctl")
        .arg("-q")
        .args(args)
        .output()
        .expect("rabbitmqctl runs (tests on RabbitMQ make a virtual host each)");
    assert!(
        out.status.success(),
        "rabbitmqctl {}: {}",
        args.join(" "),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A [`RabbitBroker`] connected to a virtual host made for one test; dropping it closes the
/// connection and then deletes the virtual host with everything in it.
struct VhostBroker {
    // Fields drop in order: the broker (it stops reconnecting) first, then the host.
    inner: RabbitBroker,
    _vhost: Vhost,
}

impl VhostBroker {
    async fn create(url: &str) -> Self {
        let vhost = Vhost::create();
        let base = url.rsplit_once('/').map_or(url, |(b, _)| b);
        let inner = RabbitBroker::connect(&format!("{base}/{}", vhost.0), RabbitOptions::default())
            .await
            .expect("connect to RabbitMQ");
        Self {
            inner,
            _vhost: vhost,
        }
    }
}

/// A RabbitMQ virtual host `t_svc_…` that the user `guest` may use, deleted when dropped
/// (also when the test failed; scripts/test.sh deletes those an aborted run left).
struct Vhost(String);

impl Vhost {
    fn create() -> Self {
        let vhost = Self(unique_name());
        rabbitmqctl(&["add_vhost", &vhost.0]);
        rabbitmqctl(&["set_permissions", "-p", &vhost.0, "guest", ".*", ".*", ".*"]);
        vhost
    }
}

impl Drop for Vhost {
    fn drop(&mut self) {
        let _ = Command::new("rabbitmqctl")
            .args(["-q", "delete_vhost", &self.0])
            .output();
    }
}

#[async_trait]
impl Broker for VhostBroker {
    async fn declare(&self, topology: &Topology) -> Result<(), BusError> {
        self.inner.declare(topology).await
    }
    async fn publish(&self, exchange: &str, key: &str, message: Message) -> Result<(), BusError> {
        self.inner.publish(exchange, key, message).await
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
        self.inner.kind()
    }
}
