use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use async_trait::async_trait;
use quorum_bus::{spawn_workers, Broker, Delivery, HandleError, Handler, QueueSpec, Topology, WorkerOptions};
use tokio_util::sync::CancellationToken;

use crate::helpers::{broker, msg};

struct Count(AtomicUsize);
#[async_trait]
impl Handler for Count {
    async fn handle(&self, _d: &dyn Delivery) -> Result<(), HandleError> {
        self.0.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn perf_tmp() {
    let t = Topology::new().exchange("ex").queue(QueueSpec::new("jobs")).bind("jobs", "ex", "#");
    let (_dir, b) = broker(&t).await;
    let b = Arc::new(b);
    let n = 3000;
    let start = Instant::now();
    for i in 0..n { b.publish("ex", "a.b", msg(&format!("m{i}"))).await.unwrap(); }
    let pub_t = start.elapsed();
    let c = Arc::new(Count(AtomicUsize::new(0)));
    let stop = CancellationToken::new();
    let start = Instant::now();
    let h = spawn_workers(b.clone(), "jobs", WorkerOptions { concurrency: 8, ..Default::default() }, c.clone(), stop.clone());
    while c.0.load(Ordering::SeqCst) < n { tokio::time::sleep(Duration::from_millis(5)).await; }
    let con_t = start.elapsed();
    stop.cancel(); h.await.unwrap();
    // latency: idle consumer woken by publish
    let c2 = Arc::new(Count(AtomicUsize::new(0)));
    let stop2 = CancellationToken::new();
    let h2 = spawn_workers(b.clone(), "jobs", WorkerOptions::default(), c2.clone(), stop2.clone());
    tokio::time::sleep(Duration::from_millis(300)).await;
    let s = Instant::now();
    b.send("jobs", msg("x")).await.unwrap();
    while c2.0.load(Ordering::SeqCst) < 1 { tokio::task::yield_now().await; }
    let lat = s.elapsed();
    stop2.cancel(); h2.await.unwrap();
    eprintln!("publish {n}: {pub_t:?} ({:.0}/s); consume: {con_t:?} ({:.0}/s); wake latency {lat:?}", n as f64 / pub_t.as_secs_f64(), n as f64 / con_t.as_secs_f64());
}
