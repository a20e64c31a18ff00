//! The [`Broker`] contract on RabbitMQ (AMQP 0-9-1, via `lapin` on tokio).
//!
//! Mapping:
//! - **declare**: every exchange is a durable topic exchange. A queue is durable, with
//!   `x-message-ttl`, `x-max-length` + `x-overflow=reject-publish`, `x-max-priority`, and a
//!   dead-letter exchange `<dlq>.dlx` (fanout, so the original routing key is kept) bound to
//!   its dead-letter queue. With [`RabbitOptions::quorum_queues`] queues are quorum queues
//!   with `x-delivery-limit`, except queues with a `max_priority` (RabbitMQ 3.x quorum queues
//!   have no priorities; those stay classic). An existing queue declared with other arguments
//!   is reported as [`BusError::Incompatible`] naming the queue and the argument.
//! - **publish/send**: persistent messages with `mandatory` on a channel in confirm mode;
//!   the call returns after the broker's confirm. `basic.return` is [`BusError::Unroutable`]
//!   (for `send`, [`BusError::UnknownQueue`]), a nack is [`BusError::QueueFull`] (RabbitMQ
//!   nacks only when a `reject-publish` queue is full; the queue is named from the topology
//!   this process declared). Unlike the embedded broker, the other queues the message was
//!   routed to keep their copy.
//! - **consume**: one channel per consumer with `basic.qos(prefetch)` and manual acks.
//! - **nack(delay)**: RabbitMQ has no delayed requeue, so the message is republished (with
//!   confirm, then the original is acked) to a retry queue `<queue>.retry.<tier>ms` whose TTL
//!   dead-letters it back to the queue. The tier is the smallest of [`retry::TIERS`] not
//!   shorter than the delay, so a delay is honoured rounded up (at most ×2.5); one TTL per
//!   retry queue keeps expiry FIFO (per-message TTLs would block behind a longer one). Retry
//!   queues are declared on first use. A zero delay republishes straight to the queue.
//! - **delivery count**: deliveries that ended in our nack are counted in a header the
//!   republish carries (`x-quorum-deliveries`, valid for the queue in `x-quorum-queue`);
//!   returns without a nack (a consumer died) come from RabbitMQ: `x-delivery-count` on
//!   quorum queues (exact), the `redelivered` flag on classic ones (counts one). A delivery
//!   past `max_deliveries` is dead-lettered with reason `delivery-limit` before it is handed
//!   out, as the embedded broker does at claim.
//! - **dead_letter(reason)**: publish to the dead-letter queue with the
//!   [`headers`](crate::broker::headers) set, confirm, then ack. Messages RabbitMQ itself
//!   dead-letters (`expired`, `delivery_limit`) carry `x-death`; reading them maps it to the
//!   same headers.
//! - **connection loss**: a supervisor reconnects with backoff; while down, publishes fail at
//!   once with [`BusError::Unavailable`] (the outbox keeps its rows) and consumers resubscribe
//!   when the connection is back. Unacked deliveries of a lost channel are redelivered by
//!   RabbitMQ; settling them afterwards fails (harmlessly).
//!
//! Metrics: `bus_rabbitmq_connected` (gauge), `bus_rabbitmq_reconnects_total`,
//! `bus_rabbitmq_publish_total{outcome}` (`ok`, `unroutable`, `queue_full`, `error`),
//! histogram `bus_rabbitmq_confirm_seconds`, `bus_dead_lettered_total{queue,reason}`.
//!
//! Layout: `link` (connection, reconnects, channels), `declare` (topology → arguments),
//! `publish` (properties, confirms, error mapping), `convert` (AMQP headers ↔ [`Message`],
//! `x-death`), `consumer`, `delivery`, `retry` (delay tiers).

mod consumer;
mod convert;
mod declare;
mod delivery;
mod link;
mod publish;
pub mod retry;

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError, RwLock};
use std::time::Duration;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

use self::link::Link;
use crate::broker::Consumer;
use crate::topology::topic_matches;
use crate::{Broker, BusError, Message, QueueSpec, Topology};

/// How the RabbitMQ adapter behaves.
#[derive(Debug, Clone)]
pub struct RabbitOptions {
    /// Declare queues as quorum queues (replicated; exact delivery counts).
    pub quorum_queues: bool,
    /// Longest wait for a publisher confirm before the publish fails with `Unavailable`.
    pub publish_timeout: Duration,
    /// Longest wait for the first connection in [`RabbitBroker::connect`].
    pub connect_timeout: Duration,
    /// First and longest pause between reconnect attempts.
    pub reconnect_min: Duration,
    pub reconnect_max: Duration,
    /// Shown in RabbitMQ's connection list.
    pub connection_name: String,
}

impl Default for RabbitOptions {
    fn default() -> Self {
        Self {
            quorum_queues: false,
            publish_timeout: Duration::from_secs(5),
            connect_timeout: Duration::from_secs(10),
            reconnect_min: Duration::from_millis(100),
            reconnect_max: Duration::from_secs(5),
            connection_name: "quorum".into(),
        }
    }
}

/// What this process declared: queue limits (for dead-lettering and delivery limits) and
/// bindings (to name the full queue when RabbitMQ nacks a publish).
#[derive(Default)]
struct Known {
    queues: HashMap<String, QueueSpec>,
    bindings: HashMap<String, Vec<(String, String)>>,
}

pub(crate) struct Shared {
    options: RabbitOptions,
    link: Link,
    known: RwLock<Known>,
    retry_declared: Mutex<HashSet<String>>,
    closed: CancellationToken,
}

impl Shared {
    /// The declared spec of `queue`, or the defaults of [`QueueSpec::new`] when this process
    /// did not declare it (same dead-letter queue naming, 5 deliveries).
    fn spec(&self, queue: &str) -> QueueSpec {
        let known = self.known.read().unwrap_or_else(PoisonError::into_inner);
        known
            .queues
            .get(queue)
            .cloned()
            .unwrap_or_else(|| QueueSpec::new(queue))
    }

    /// Declared queues `routing_key` reaches through `exchange` that have a max-length.
    fn bounded_targets(&self, exchange: &str, routing_key: &str) -> Vec<(String, u64)> {
        let known = self.known.read().unwrap_or_else(PoisonError::into_inner);
        let Some(bindings) = known.bindings.get(exchange) else {
            return Vec::new();
        };
        let mut out: Vec<(String, u64)> = bindings
            .iter()
            .filter(|(pattern, _)| topic_matches(pattern, routing_key))
            .filter_map(|(_, q)| {
                let max = known.queues.get(q)?.max_length?;
                Some((q.clone(), max))
            })
            .collect();
        out.sort();
        out.dedup();
        out
    }

    fn remember(&self, topology: &Topology, queues: &[QueueSpec]) {
        let mut known = self.known.write().unwrap_or_else(PoisonError::into_inner);
        for spec in queues {
            let explicit = topology.queues.iter().any(|q| q.name == spec.name);
            if explicit || !known.queues.contains_key(&spec.name) {
                known.queues.insert(spec.name.clone(), spec.clone());
            }
        }
        for b in &topology.bindings {
            let list = known.bindings.entry(b.exchange.clone()).or_default();
            let entry = (b.pattern.clone(), b.queue.clone());
            if !list.contains(&entry) {
                list.push(entry);
            }
        }
    }
}

/// A [`Broker`] on RabbitMQ; see the module docs for the mapping.
#[derive(Clone)]
pub struct RabbitBroker {
    shared: Arc<Shared>,
}

impl RabbitBroker {
    /// Connects to `url` (`amqp://user:pass@host:5672/%2f`) and keeps reconnecting when the
    /// connection drops. Fails when the first connection cannot be made within
    /// `connect_timeout` (a wrong URL or credentials should stop the process early).
    pub async fn connect(url: &str, options: RabbitOptions) -> Result<Self, BusError> {
        let closed = CancellationToken::new();
        let link = Link::start(url, &options, closed.clone()).await?;
        Ok(Self {
            shared: Arc::new(Shared {
                options,
                link,
                known: RwLock::new(Known::default()),
                retry_declared: Mutex::new(HashSet::new()),
                closed,
            }),
        })
    }

    /// Stops consumers (their `next()` returns `None`) and closes the connection; unacked
    /// deliveries go back to their queues.
    pub async fn close(&self) {
        self.shared.closed.cancel();
        self.shared.link.close().await;
    }

    /// Deletes the queues of `topology` (with their dead-letter and retry queues) and its
    /// exchanges, messages included. For tests and tear-down scripts.
    pub async fn delete(&self, topology: &Topology) -> Result<(), BusError> {
        declare::delete(&self.shared, topology).await
    }
}

impl Drop for Shared {
    fn drop(&mut self) {
        self.closed.cancel();
    }
}

#[async_trait]
impl Broker for RabbitBroker {
    #[tracing::instrument(level = "debug", skip_all, fields(broker = "rabbitmq"))]
    async fn declare(&self, topology: &Topology) -> Result<(), BusError> {
        let queues = declare::declare(&self.shared, topology).await?;
        self.shared.remember(topology, &queues);
        Ok(())
    }

    async fn publish(
        &self,
        exchange: &str,
        routing_key: &str,
        message: Message,
    ) -> Result<(), BusError> {
        publish::publish(&self.shared, exchange, routing_key, &message).await
    }

    async fn send(&self, queue: &str, message: Message) -> Result<(), BusError> {
        publish::send(&self.shared, queue, &message).await
    }

    async fn consume(&self, queue: &str, prefetch: usize) -> Result<Box<dyn Consumer>, BusError> {
        let consumer =
            consumer::RabbitConsumer::start(self.shared.clone(), queue, prefetch).await?;
        Ok(Box::new(consumer))
    }

    async fn queue_depth(&self, queue: &str) -> Result<u64, BusError> {
        declare::depth(&self.shared, queue).await
    }

    async fn ping(&self) -> Result<(), BusError> {
        self.shared.link.ping().await
    }

    fn kind(&self) -> &'static str {
        "rabbitmq"
    }
}
