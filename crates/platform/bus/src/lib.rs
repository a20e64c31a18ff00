//! Messaging for Quorum: events, work queues, and the guarantees around them.
//!
//! - [`envelope`]: the CloudEvents-shaped [`Envelope`] every event travels in;
//! - [`topology`]: exchanges, queues and bindings declared in code ([`Topology`]);
//! - [`broker`]: the [`Broker`] trait (fits RabbitMQ's semantics), its delivery types and the
//!   headers set on dead-lettered messages;
//! - [`embedded`]: the durable broker on SQLite used by the all-in-one mode (its module docs
//!   describe claiming, leases and crash recovery);
//! - [`rabbitmq`]: the same contract on RabbitMQ (publisher confirms, mandatory routing,
//!   manual acks, dead-letter exchanges, reconnects; its module docs give the mapping);
//! - [`outbox`]: the transactional outbox and its relay, and the idempotent-consumer inbox;
//! - [`worker`]: bounded-concurrency consumers with ack/retry/dead-letter decisions;
//! - [`consumer`]: the idempotent consumer written once ([`Apply`] run by [`Consumer`]:
//!   inbox row and effects in one transaction, after-commit work once committed).
//!
//! Delivery is at-least-once end to end: the outbox may publish an event twice (a crash
//! between the broker's accept and the row's mark) and a broker redelivers what was not
//! acknowledged, so consumers deduplicate with [`inbox_record`].

pub mod broker;
pub mod consumer;
pub mod embedded;
pub mod envelope;
mod error;
pub mod outbox;
pub mod rabbitmq;
pub mod topology;
pub mod worker;

pub use broker::{Broker, Delivery, Message};
pub use consumer::{begin_once, payload, Apply, Consumer};
pub use embedded::{EmbeddedBroker, EmbeddedOptions};
pub use envelope::Envelope;
pub use error::BusError;
pub use outbox::{inbox_record, Outbox};
pub use rabbitmq::{RabbitBroker, RabbitOptions};
pub use topology::{Binding, QueueSpec, Subscription, Topology};
pub use worker::{spawn_workers, HandleError, Handler, WorkerOptions};
