//! [`Message`] ↔ AMQP properties and headers, delivery counts, and `x-death` → the
//! dead-letter headers of [`crate::broker::headers`].

use std::collections::BTreeMap;
use std::time::Duration;

use lapin::types::{AMQPValue, FieldTable, LongString};
use lapin::BasicProperties;

use super::link::short;
use super::retry;
use crate::broker::headers::{DEATH_REASON, DELIVERY_COUNT, ORIGINAL_QUEUE};
use crate::{BusError, Message};

/// Deliveries of this message that ended in a nack (set when republishing for a retry)…
pub(super) const PRIOR_DELIVERIES: &str = "x-quorum-deliveries";
/// …counted in this queue (the count does not carry over into a dead-letter queue).
pub(super) const PRIOR_QUEUE: &str = "x-quorum-queue";
/// Set by RabbitMQ on quorum queues: how often the message was returned to the queue.
const RABBIT_DELIVERY_COUNT: &str = "x-delivery-count";

/// AMQP 0-9-1 `delivery-mode` for messages written to disk.
const PERSISTENT: u8 = 2;

/// Publish properties for `message`: persistent, its id, priority, headers, plus `extra`
/// headers; its TTL becomes `expiration` when `with_ttl`.
pub(super) fn properties(
    message: &Message,
    extra: &[(&str, AMQPValue)],
    with_ttl: bool,
) -> Result<BasicProperties, BusError> {
    let mut table = FieldTable::default();
    for (k, v) in &message.headers {
        table.insert(
            short(k)?,
            AMQPValue::LongString(LongString::from(v.as_str())),
        );
    }
    for (k, v) in extra {
        table.insert(short(k)?, v.clone());
    }
    let mut props = BasicProperties::default()
        .with_delivery_mode(PERSISTENT)
        .with_headers(table);
    if !message.id.is_empty() {
        props = props.with_message_id(short(&message.id)?);
    }
    if message.priority > 0 {
        props = props.with_priority(message.priority);
    }
    if let (true, Some(ttl)) = (with_ttl, message.ttl) {
        props = props.with_expiration(ttl.as_millis().to_string().into());
    }
    if let Some(ct) = message.headers.get("content-type") {
        props = props.with_content_type(short(ct)?);
    }
    Ok(props)
}

/// A delivery as the [`Broker`](crate::Broker) contract sees it.
pub(super) struct Incoming {
    pub(super) message: Message,
    pub(super) delivery_count: u32,
}

fn text(v: &AMQPValue) -> Option<String> {
    Some(match v {
        AMQPValue::LongString(s) => String::from_utf8_lossy(s.as_bytes()).into_owned(),
        AMQPValue::ShortString(s) => s.as_str().to_string(),
        AMQPValue::Boolean(b) => b.to_string(),
        AMQPValue::ShortShortInt(n) => n.to_string(),
        AMQPValue::ShortShortUInt(n) => n.to_string(),
        AMQPValue::ShortInt(n) => n.to_string(),
        AMQPValue::ShortUInt(n) => n.to_string(),
        AMQPValue::LongInt(n) => n.to_string(),
        AMQPValue::LongUInt(n) => n.to_string(),
        AMQPValue::LongLongInt(n) => n.to_string(),
        _ => return None,
    })
}

fn int(v: &AMQPValue) -> Option<u64> {
    match v {
        AMQPValue::ShortShortInt(n) => u64::try_from(*n).ok(),
        AMQPValue::ShortShortUInt(n) => Some(u64::from(*n)),
        AMQPValue::ShortInt(n) => u64::try_from(*n).ok(),
        AMQPValue::ShortUInt(n) => Some(u64::from(*n)),
        AMQPValue::LongInt(n) => u64::try_from(*n).ok(),
        AMQPValue::LongUInt(n) => Some(u64::from(*n)),
        AMQPValue::LongLongInt(n) => u64::try_from(*n).ok(),
        _ => None,
    }
}

fn is_string(v: &AMQPValue) -> bool {
    matches!(v, AMQPValue::LongString(_) | AMQPValue::ShortString(_))
}

/// Bookkeeping headers of RabbitMQ and of this adapter, not shown to handlers.
fn reserved(key: &str, value: &AMQPValue) -> bool {
    key == "x-death"
        || key.starts_with("x-first-death-")
        || key.starts_with("x-last-death-")
        || key.starts_with("x-quorum-")
        || (key == RABBIT_DELIVERY_COUNT && !is_string(value))
}

/// The most recent `x-death` entry: (reason, queue).
fn last_death(table: &FieldTable) -> Option<(String, String)> {
    let AMQPValue::FieldArray(deaths) = table.inner().get("x-death")? else {
        return None;
    };
    let AMQPValue::FieldTable(entry) = deaths.as_slice().first()? else {
        return None;
    };
    let field = |k: &str| entry.inner().get(k).and_then(text);
    Some((field("reason")?, field("queue")?))
}

/// RabbitMQ's dead-letter reasons in this crate's words.
fn reason(rabbit: &str) -> String {
    match rabbit {
        "delivery_limit" => "delivery-limit".into(),
        other => other.to_string(),
    }
}

/// Reads a delivery from `queue`. The delivery count is the nacked deliveries recorded for
/// this queue, plus returns RabbitMQ counted (quorum) or flagged (`redelivered`), plus this
/// one. A message RabbitMQ dead-lettered (not a retry hop) gets the dead-letter headers.
pub(super) fn incoming(queue: &str, d: &lapin::message::Delivery) -> Incoming {
    let props = &d.properties;
    let empty = FieldTable::default();
    let table = props.headers().as_ref().unwrap_or(&empty);
    let get = |k: &str| table.inner().get(k);
    let prior_queue = get(PRIOR_QUEUE).and_then(text);
    let prior = get(PRIOR_DELIVERIES).and_then(int).unwrap_or(0);
    let prior_here = if prior_queue.as_deref() == Some(queue) {
        prior
    } else {
        0
    };
    let returns = get(RABBIT_DELIVERY_COUNT)
        .filter(|v| !is_string(v))
        .and_then(int)
        .unwrap_or(u64::from(d.redelivered));

    let mut headers: BTreeMap<String, String> = table
        .into_iter()
        .filter(|(k, v)| !reserved(k.as_str(), v))
        .filter_map(|(k, v)| Some((k.as_str().to_string(), text(v)?)))
        .collect();
    if !headers.contains_key(DEATH_REASON) {
        if let Some((why, from)) = last_death(table).filter(|(_, q)| !retry::is_retry_queue(q)) {
            let delivered = if prior_queue.as_deref() == Some(from.as_str()) {
                prior
            } else {
                0
            };
            headers.insert(DEATH_REASON.into(), reason(&why));
            headers.insert(ORIGINAL_QUEUE.into(), from);
            headers.insert(DELIVERY_COUNT.into(), delivered.to_string());
        }
    }
    let ttl = props
        .expiration()
        .as_ref()
        .and_then(|e| e.as_str().parse::<u64>().ok())
        .map(Duration::from_millis);
    let count = prior_here.saturating_add(returns).saturating_add(1);
    Incoming {
        message: Message {
            id: props
                .message_id()
                .as_ref()
                .map(|s| s.as_str().to_string())
                .unwrap_or_default(),
            body: d.data.clone(),
            priority: props.priority().unwrap_or(0),
            ttl,
            headers,
        },
        delivery_count: u32::try_from(count).unwrap_or(u32::MAX),
    }
}
