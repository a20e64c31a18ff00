//! Topology → RabbitMQ declarations, queue depth, and tear-down.

use lapin::options::{
    ExchangeDeclareOptions, ExchangeDeleteOptions, QueueBindOptions, QueueDeclareOptions,
    QueueDeleteOptions,
};
use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::{Channel, ExchangeKind};

use super::link::{reply_code, short, unavailable, Session, NOT_FOUND, PRECONDITION_FAILED};
use super::{retry, Shared};
use crate::{BusError, QueueSpec, Topology};

/// The fanout exchange that feeds dead-letter queue `dlq`.
pub(super) fn dead_letter_exchange(dlq: &str) -> String {
    format!("{dlq}.dlx")
}

fn long(n: u64) -> AMQPValue {
    AMQPValue::LongLongInt(i64::try_from(n).unwrap_or(i64::MAX))
}

fn text(s: &str) -> AMQPValue {
    AMQPValue::LongString(LongString::from(s))
}

fn put(table: &mut FieldTable, key: &str, value: AMQPValue) {
    table.insert(key.into(), value);
}

/// The `x-…` arguments of a work or dead-letter queue.
pub(super) fn queue_arguments(spec: &QueueSpec, quorum: bool) -> FieldTable {
    let mut args = FieldTable::default();
    if let Some(dlq) = &spec.dead_letter_queue {
        put(
            &mut args,
            "x-dead-letter-exchange",
            text(&dead_letter_exchange(dlq)),
        );
    }
    if let Some(ttl) = spec.message_ttl {
        put(
            &mut args,
            "x-message-ttl",
            long(u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX)),
        );
    }
    if let Some(max) = spec.max_length {
        put(&mut args, "x-max-length", long(max));
        put(&mut args, "x-overflow", text("reject-publish"));
    }
    if let Some(p) = spec.max_priority {
        // RabbitMQ 3.x quorum queues have no priorities: a priority queue stays classic.
        put(&mut args, "x-max-priority", long(u64::from(p)));
    } else if quorum {
        put(&mut args, "x-queue-type", text("quorum"));
        put(
            &mut args,
            "x-delivery-limit",
            long(u64::from(spec.max_deliveries)),
        );
    }
    args
}

/// The arguments of `queue`'s retry queue for `tier` ms.
fn retry_arguments(queue: &str, tier: u64, quorum: bool) -> FieldTable {
    let mut args = FieldTable::default();
    put(&mut args, "x-message-ttl", long(tier));
    put(&mut args, "x-dead-letter-exchange", text(""));
    put(&mut args, "x-dead-letter-routing-key", text(queue));
    if quorum {
        put(&mut args, "x-queue-type", text("quorum"));
        // Expired messages are moved back with confirms instead of at-most-once.
        put(&mut args, "x-overflow", text("reject-publish"));
        put(&mut args, "x-dead-letter-strategy", text("at-least-once"));
    }
    args
}

/// Turns a failed declaration into an error naming what clashed.
fn declare_error(entity: String, e: lapin::Error) -> BusError {
    if reply_code(&e) != Some(PRECONDITION_FAILED) {
        return unavailable(e);
    }
    let detail = match e.kind() {
        lapin::ErrorKind::ProtocolError(amqp) => amqp.get_message().to_string(),
        _ => e.to_string(),
    };
    let argument = detail
        .split_once("inequivalent arg '")
        .and_then(|(_, rest)| rest.split_once('\''))
        .map_or_else(|| "arguments".to_string(), |(arg, _)| arg.to_string());
    BusError::Incompatible {
        entity,
        argument,
        detail,
    }
}

async fn exchange(ch: &Channel, name: &str, kind: ExchangeKind) -> Result<(), BusError> {
    let options = ExchangeDeclareOptions {
        durable: true,
        ..ExchangeDeclareOptions::default()
    };
    ch.exchange_declare(short(name)?, kind, options, FieldTable::default())
        .await
        .map_err(|e| declare_error(format!("exchange `{name}`"), e))
}

async fn queue(ch: &Channel, name: &str, args: FieldTable) -> Result<(), BusError> {
    let options = QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    };
    ch.queue_declare(short(name)?, options, args)
        .await
        .map(drop)
        .map_err(|e| declare_error(format!("queue `{name}`"), e))
}

async fn bind(ch: &Channel, queue: &str, exchange: &str, key: &str) -> Result<(), BusError> {
    ch.queue_bind(
        short(queue)?,
        short(exchange)?,
        short(key)?,
        QueueBindOptions::default(),
        FieldTable::default(),
    )
    .await
    .map_err(|e| match reply_code(&e) {
        Some(NOT_FOUND) => BusError::UnknownExchange(exchange.to_string()),
        _ => unavailable(e),
    })
}

/// Declares `topology`; returns the queues declared (dead-letter queues included).
pub(super) async fn declare(
    shared: &Shared,
    topology: &Topology,
) -> Result<Vec<QueueSpec>, BusError> {
    let session = shared.link.session()?;
    // A failed declaration closes its channel; this one is used for nothing else.
    let ch = session.channel().await?;
    let quorum = shared.options.quorum_queues;
    for name in &topology.exchanges {
        exchange(&ch, name, ExchangeKind::Topic).await?;
    }
    let queues = topology.queues_with_dead_letter_queues();
    // Dead-letter queues and their exchanges first, so nothing dead-letters into the void.
    for spec in &queues {
        if let Some(dlq) = &spec.dead_letter_queue {
            exchange(&ch, &dead_letter_exchange(dlq), ExchangeKind::Fanout).await?;
        }
    }
    for spec in &queues {
        queue(&ch, &spec.name, queue_arguments(spec, quorum)).await?;
        tracing::debug!(queue = spec.name, "queue declared");
    }
    for spec in &queues {
        if let Some(dlq) = &spec.dead_letter_queue {
            bind(&ch, dlq, &dead_letter_exchange(dlq), "").await?;
        }
    }
    for b in &topology.bindings {
        bind(&ch, &b.queue, &b.exchange, &b.pattern).await?;
    }
    let _ = ch.close(200, "declared".into()).await;
    Ok(queues)
}

/// Declares `queue`'s retry queue for `tier` once per process (again after `forget_retry`).
pub(super) async fn retry_queue(
    shared: &Shared,
    session: &Session,
    queue_name: &str,
    tier: u64,
) -> Result<String, BusError> {
    let name = retry::queue_name(queue_name, tier);
    let known = shared
        .retry_declared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .contains(&name);
    if !known {
        let ch = session.channel().await?;
        let args = retry_arguments(queue_name, tier, shared.options.quorum_queues);
        queue(&ch, &name, args).await?;
        let _ = ch.close(200, "declared".into()).await;
        shared
            .retry_declared
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .insert(name.clone());
    }
    Ok(name)
}

/// Forgets that a retry queue was declared (it was deleted behind our back).
pub(super) fn forget_retry(shared: &Shared, name: &str) {
    shared
        .retry_declared
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner)
        .remove(name);
}

/// Messages ready in `queue` (passive declare).
pub(super) async fn depth(shared: &Shared, queue_name: &str) -> Result<u64, BusError> {
    let session = shared.link.session()?;
    let ch = session.channel().await?;
    let options = QueueDeclareOptions {
        passive: true,
        ..QueueDeclareOptions::default()
    };
    let q = ch
        .queue_declare(short(queue_name)?, options, FieldTable::default())
        .await
        .map_err(|e| match reply_code(&e) {
            Some(NOT_FOUND) => BusError::UnknownQueue(queue_name.to_string()),
            _ => unavailable(e),
        })?;
    let _ = ch.close(200, "done".into()).await;
    Ok(u64::from(q.message_count()))
}

/// Deletes `topology`'s queues (with dead-letter and retry queues) and exchanges.
pub(super) async fn delete(shared: &Shared, topology: &Topology) -> Result<(), BusError> {
    let session = shared.link.session()?;
    let ch = session.channel().await?;
    for spec in topology.queues_with_dead_letter_queues() {
        let mut names = vec![spec.name.clone()];
        names.extend(
            retry::TIERS
                .iter()
                .map(|t| retry::queue_name(&spec.name, *t)),
        );
        for name in names {
            forget_retry(shared, &name);
            ch.queue_delete(short(&name)?, QueueDeleteOptions::default())
                .await
                .map_err(unavailable)?;
        }
        if let Some(dlq) = &spec.dead_letter_queue {
            ch.exchange_delete(
                short(&dead_letter_exchange(dlq))?,
                ExchangeDeleteOptions::default(),
            )
            .await
            .map_err(unavailable)?;
        }
    }
    for name in &topology.exchanges {
        ch.exchange_delete(short(name)?, ExchangeDeleteOptions::default())
            .await
            .map_err(unavailable)?;
    }
    let _ = ch.close(200, "deleted".into()).await;
    let mut known = shared
        .known
        .write()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    for q in &topology.queues {
        known.queues.remove(&q.name);
    }
    for e in &topology.exchanges {
        known.bindings.remove(e);
    }
    Ok(())
}
