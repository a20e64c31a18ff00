//! Publishing with `mandatory` and publisher confirms, and what the broker's answer means.

use std::time::Instant;

use lapin::options::BasicPublishOptions;
use lapin::{BasicProperties, Confirmation};

use super::link::{reply_code, short, unavailable, NOT_FOUND};
use super::{convert, declare, Shared};
use crate::{BusError, Message};

/// The broker's answer to one publish.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Routed and stored (confirmed).
    Stored,
    /// No queue matched (`basic.return`).
    Returned,
    /// Refused (`basic.nack`): a `reject-publish` queue is full.
    Nacked,
}

/// Publishes on the shared confirm channel and waits for the confirm, at most
/// `publish_timeout`. Fails at once while the connection is down.
pub(super) async fn raw(
    shared: &Shared,
    exchange: &str,
    routing_key: &str,
    body: &[u8],
    props: BasicProperties,
) -> Result<Outcome, BusError> {
    let session = shared.link.session()?;
    let options = BasicPublishOptions {
        mandatory: true,
        immediate: false,
    };
    let map = |e: lapin::Error| match reply_code(&e) {
        Some(NOT_FOUND) => BusError::UnknownExchange(exchange.to_string()),
        _ => unavailable(e),
    };
    let started = Instant::now();
    let attempt = async {
        let ch = session.publisher().await?;
        let confirm = ch
            .basic_publish(short(exchange)?, short(routing_key)?, options, body, props)
            .await
            .map_err(map)?;
        Ok::<_, BusError>(match confirm.await.map_err(map)? {
            Confirmation::Ack(Some(_)) => Outcome::Returned,
            Confirmation::Ack(None) | Confirmation::NotRequested => Outcome::Stored,
            Confirmation::Nack(_) => Outcome::Nacked,
        })
    };
    let outcome = tokio::time::timeout(shared.options.publish_timeout, attempt)
        .await
        .map_err(|_| {
            BusError::Unavailable(format!(
                "no publisher confirm from RabbitMQ within {:?}",
                shared.options.publish_timeout
            ))
        })?;
    metrics::histogram!("bus_rabbitmq_confirm_seconds").record(started.elapsed().as_secs_f64());
    outcome
}

fn count(outcome: &'static str) {
    metrics::counter!("bus_rabbitmq_publish_total", "outcome" => outcome).increment(1);
}

fn settle(result: Result<(), BusError>) -> Result<(), BusError> {
    count(match &result {
        Ok(()) => "ok",
        Err(BusError::Unroutable { .. } | BusError::UnknownQueue(_)) => "unroutable",
        Err(BusError::QueueFull { .. }) => "queue_full",
        Err(_) => "error",
    });
    result
}

#[tracing::instrument(level = "debug", skip_all, fields(exchange, routing_key, message_id = %message.id))]
pub(super) async fn publish(
    shared: &Shared,
    exchange: &str,
    routing_key: &str,
    message: &Message,
) -> Result<(), BusError> {
    let props = convert::properties(message, &[], true)?;
    let result = match raw(shared, exchange, routing_key, &message.body, props).await {
        Ok(Outcome::Stored) => Ok(()),
        Ok(Outcome::Returned) => Err(BusError::Unroutable {
            exchange: exchange.to_string(),
            routing_key: routing_key.to_string(),
        }),
        Ok(Outcome::Nacked) => Err(full_queue(shared, exchange, routing_key).await),
        Err(e) => Err(e),
    };
    settle(result)
}

#[tracing::instrument(level = "debug", skip_all, fields(queue, message_id = %message.id))]
pub(super) async fn send(shared: &Shared, queue: &str, message: &Message) -> Result<(), BusError> {
    let props = convert::properties(message, &[], true)?;
    let result = match raw(shared, "", queue, &message.body, props).await {
        Ok(Outcome::Stored) => Ok(()),
        Ok(Outcome::Returned) => Err(BusError::UnknownQueue(queue.to_string())),
        Ok(Outcome::Nacked) => Err(BusError::QueueFull {
            queue: queue.to_string(),
            max_length: shared.spec(queue).max_length.unwrap_or(0),
        }),
        Err(e) => Err(e),
    };
    settle(result)
}

/// Names the queue that refused a publish: among the declared queues the routing key
/// reaches that have a max-length, the first that is at it (or the first of them).
async fn full_queue(shared: &Shared, exchange: &str, routing_key: &str) -> BusError {
    let candidates = shared.bounded_targets(exchange, routing_key);
    for (queue, max) in &candidates {
        if declare::depth(shared, queue)
            .await
            .is_ok_and(|depth| depth >= *max)
        {
            return BusError::QueueFull {
                queue: queue.clone(),
                max_length: *max,
            };
        }
    }
    let (queue, max_length) = candidates
        .into_iter()
        .next()
        .unwrap_or_else(|| (format!("bound to `{exchange}` for `{routing_key}`"), 0));
    BusError::QueueFull { queue, max_length }
}
