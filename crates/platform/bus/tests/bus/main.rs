//! Integration tests for quorum-bus: the embedded broker's AMQP-like semantics, crash
//! recovery with an idempotent inbox, the transactional outbox relay (SQLite and, when
//! `QUORUM_TEST_POSTGRES_URL` is set, PostgreSQL), and bounded-concurrency workers.
//! Every test uses fresh databases and is bounded by a timeout.

mod helpers;
mod outbox;
mod postgres;
mod queues;
mod recovery;
mod routing;
mod worker;
