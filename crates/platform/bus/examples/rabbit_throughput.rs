//! Publish + consume throughput of `RabbitBroker` (publisher confirms, manual acks, 1 KB
//! messages) next to the same work done with raw `lapin` calls, on one RabbitMQ.
//!
//! ```text
//! QUORUM_TEST_AMQP_URL=amqp://guest:guest@127.0.0.1:5672/%2f \
//!   cargo run --release -p quorum-bus --example rabbit_throughput -- 20000
//! ```
//! Arguments: message count (20000). Each run uses a fresh queue and deletes it.

#![allow(clippy::restriction)] // a measuring tool: prints its figures, stops on a failed step

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt as _;
use lapin::options::{
    BasicAckOptions, BasicConsumeOptions, BasicPublishOptions, BasicQosOptions,
    ConfirmSelectOptions, QueueDeclareOptions, QueueDeleteOptions,
};
use lapin::types::FieldTable;
use lapin::{BasicProperties, Connection, ConnectionProperties};
use quorum_bus::{Broker, Message, QueueSpec, RabbitBroker, RabbitOptions, Topology};

type Error = Box<dyn std::error::Error + Send + Sync>;

const SIZE: usize = 1024;
const PREFETCH: usize = 200;

struct Run {
    publish: Duration,
    total: Duration,
}

fn report(label: &str, n: usize, publishers: usize, r: &Run) {
    let rate = |d: Duration| n as f64 / d.as_secs_f64();
    println!(
        "{label:<12} publishers={publishers:<3} publish {:>8.0} msg/s   publish+consume {:>8.0} msg/s",
        rate(r.publish),
        rate(r.total)
    );
}

/// `n` messages through our layer: `publishers` tasks sharing `n`, one consumer acking.
async fn ours(url: &str, n: usize, publishers: usize) -> Result<Run, Error> {
    let broker = Arc::new(RabbitBroker::connect(url, RabbitOptions::default()).await?);
    let queue = format!("bench.ours.{}", uuid::Uuid::new_v4().simple());
    let topology = Topology::new().queue(QueueSpec::new(&queue));
    broker.declare(&topology).await?;
    let mut consumer = broker.consume(&queue, PREFETCH).await?;
    let started = Instant::now();
    let consuming = tokio::spawn(async move {
        for _ in 0..n {
            let d = consumer.next().await.ok_or("consumer closed")??;
            d.ack().await?;
        }
        Ok::<_, Error>(Instant::now())
    });
    let mut tasks = Vec::new();
    for p in 0..publishers {
        let (broker, queue) = (broker.clone(), queue.clone());
        tasks.push(tokio::spawn(async move {
            for i in (p..n).step_by(publishers) {
                broker
                    .send(&queue, Message::new(i.to_string(), vec![b'x'; SIZE]))
                    .await?;
            }
            Ok::<_, Error>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let publish = started.elapsed();
    let done = consuming.await??;
    broker.delete(&topology).await?;
    broker.close().await;
    Ok(Run {
        publish,
        total: done - started,
    })
}

/// The same with raw lapin: one confirm channel, mandatory persistent publishes awaited per
/// message, a consumer channel with the same prefetch and one ack per message.
async fn raw(url: &str, n: usize, publishers: usize) -> Result<Run, Error> {
    let conn = Connection::connect(url, ConnectionProperties::default()).await?;
    let ch = conn.create_channel().await?;
    ch.confirm_select(ConfirmSelectOptions::default()).await?;
    let queue = format!("bench.raw.{}", uuid::Uuid::new_v4().simple());
    let durable = QueueDeclareOptions {
        durable: true,
        ..QueueDeclareOptions::default()
    };
    ch.queue_declare(queue.as_str().into(), durable, FieldTable::default())
        .await?;
    let cch = conn.create_channel().await?;
    cch.basic_qos(PREFETCH as u16, BasicQosOptions::default())
        .await?;
    let mut consumer = cch
        .basic_consume(
            queue.as_str().into(),
            "bench".into(),
            BasicConsumeOptions::default(),
            FieldTable::default(),
        )
        .await?;
    let started = Instant::now();
    let consuming = tokio::spawn(async move {
        for _ in 0..n {
            let d = consumer.next().await.ok_or("consumer closed")??;
            d.ack(BasicAckOptions::default()).await?;
        }
        Ok::<_, Error>(Instant::now())
    });
    let mut tasks = Vec::new();
    for p in 0..publishers {
        let (ch, queue) = (ch.clone(), queue.clone());
        tasks.push(tokio::spawn(async move {
            let options = BasicPublishOptions {
                mandatory: true,
                immediate: false,
            };
            for i in (p..n).step_by(publishers) {
                let props = BasicProperties::default()
                    .with_delivery_mode(2)
                    .with_message_id(i.to_string().into());
                ch.basic_publish(
                    "".into(),
                    queue.as_str().into(),
                    options,
                    &[b'x'; SIZE],
                    props,
                )
                .await?
                .await?;
            }
            Ok::<_, Error>(())
        }));
    }
    for t in tasks {
        t.await??;
    }
    let publish = started.elapsed();
    let done = consuming.await??;
    ch.queue_delete(queue.as_str().into(), QueueDeleteOptions::default())
        .await?;
    conn.close(200, "done".into()).await?;
    Ok(Run {
        publish,
        total: done - started,
    })
}

#[tokio::main]
async fn main() -> Result<(), Error> {
    let url = std::env::var("QUORUM_TEST_AMQP_URL")
        .unwrap_or_else(|_| "amqp://guest:guest@127.0.0.1:5672/%2f".into());
    let n: usize = std::env::args()
        .nth(1)
        .map(|s| s.parse())
        .transpose()?
        .unwrap_or(20_000);
    println!("{n} messages of {SIZE} B, persistent, confirms + mandatory, manual acks, prefetch {PREFETCH}");
    for publishers in [1, 16, 64] {
        report("raw lapin", n, publishers, &raw(&url, n, publishers).await?);
        report(
            "RabbitBroker",
            n,
            publishers,
            &ours(&url, n, publishers).await?,
        );
    }
    Ok(())
}
