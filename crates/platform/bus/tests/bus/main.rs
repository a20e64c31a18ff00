//! Integration tests for quorum-bus. The broker behaviours (routing, limits, TTL, retries,
//! dead-lettering, prefetch, workers, the outbox relay) form one suite that runs against the
//! embedded broker and, when `QUORUM_TEST_AMQP_URL` is set, against RabbitMQ (each test is a
//! module with an `embedded` and a `rabbitmq` test). Embedded-only tests cover its crash
//! recovery and persistence; RabbitMQ-only tests cover declaration clashes, killed workers,
//! quorum queues and connection outages. The outbox relay also runs on PostgreSQL when
//! `QUORUM_TEST_POSTGRES_URL` is set. Every test uses fresh databases or uniquely named
//! queues (deleted afterwards) and is bounded by a timeout.

#![allow(clippy::restriction)] // test code: a failed step should stop the test

mod consumer;
mod helpers;
mod outbox;
mod postgres;
mod queues;
mod rabbitmq;
mod recovery;
mod routing;
mod worker;
