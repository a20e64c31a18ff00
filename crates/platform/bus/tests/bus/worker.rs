use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use quorum_bus::broker::headers::DEATH_REASON;
use quorum_bus::{
    spawn_workers, Delivery, HandleError, Handler, QueueSpec, Topology, WorkerOptions,
};
use tokio_util::sync::CancellationToken;

use crate::helpers::{drain, eventually, msg, next, on_both_brokers, within, Backend, Fixture};

on_both_brokers!(
    concurrency_bound_is_respected,
    retry_and_panic_redeliver_with_backoff_then_ack,
    reject_dead_letters_at_once,
    shutdown_waits_for_in_flight_handlers_and_stops_claiming,
);

fn options(concurrency: usize) -> WorkerOptions {
    WorkerOptions {
        concurrency,
        backoff_base: Duration::from_millis(10),
        backoff_max: Duration::from_millis(50),
    }
}

/// Tracks how many handlers run at once; fails, panics or rejects on request.
#[derive(Default)]
struct Probe {
    running: AtomicUsize,
    peak: AtomicUsize,
    done: AtomicUsize,
    calls: AtomicUsize,
    /// Retry this many first calls, panic on the next, then succeed.
    retries: usize,
    panics: bool,
    reject: bool,
    work: Duration,
}

#[async_trait]
impl Handler for Probe {
    async fn handle(&self, _d: &dyn Delivery) -> Result<(), HandleError> {
        let call = self.calls.fetch_add(1, Ordering::SeqCst);
        let now = self.running.fetch_add(1, Ordering::SeqCst) + 1;
        self.peak.fetch_max(now, Ordering::SeqCst);
        tokio::time::sleep(self.work).await;
        self.running.fetch_sub(1, Ordering::SeqCst);
        if self.reject {
            return Err(HandleError::Reject("bad payload".into()));
        }
        if call < self.retries {
            return Err(HandleError::Retry("not yet".into()));
        }
        if self.panics && call == self.retries {
            panic!("handler bug");
        }
        self.done.fetch_add(1, Ordering::SeqCst);
        Ok(())
    }
}

/// A broker with queue `jobs` (5 deliveries); returns the fixture and the queue's name.
async fn setup(backend: Backend) -> Option<(Fixture, String)> {
    let f = Fixture::new(backend).await?;
    let jobs = f.n("jobs");
    f.declare(&Topology::new().queue(QueueSpec::new(&jobs).max_deliveries(5)))
        .await;
    Some((f, jobs))
}

async fn concurrency_bound_is_respected(backend: Backend) {
    let Some((f, jobs)) = setup(backend).await else {
        return;
    };
    within(30, async {
        let b = f.broker.clone();
        for i in 0..15 {
            b.send(&jobs, msg(&format!("m{i}"))).await.unwrap();
        }
        let probe = Arc::new(Probe {
            work: Duration::from_millis(50),
            ..Probe::default()
        });
        let stop = CancellationToken::new();
        let task = spawn_workers(b.clone(), &jobs, options(3), probe.clone(), stop.clone());
        eventually(|| async { probe.done.load(Ordering::SeqCst) == 15 }).await;
        assert_eq!(probe.peak.load(Ordering::SeqCst), 3, "peak concurrency");
        stop.cancel();
        task.await.unwrap();
        assert_eq!(b.queue_depth(&jobs).await.unwrap(), 0);
    })
    .await;
}

async fn retry_and_panic_redeliver_with_backoff_then_ack(backend: Backend) {
    let Some((f, jobs)) = setup(backend).await else {
        return;
    };
    within(30, async {
        let b = f.broker.clone();
        b.send(&jobs, msg("m")).await.unwrap();
        let probe = Arc::new(Probe {
            retries: 2,
            panics: true,
            ..Probe::default()
        });
        let stop = CancellationToken::new();
        let task = spawn_workers(b.clone(), &jobs, options(2), probe.clone(), stop.clone());
        eventually(|| async { probe.done.load(Ordering::SeqCst) == 1 }).await;
        // Two retries, one panic, one success.
        assert_eq!(probe.calls.load(Ordering::SeqCst), 4);
        stop.cancel();
        task.await.unwrap();
        assert_eq!(b.queue_depth(&jobs).await.unwrap(), 0);
        assert!(drain(&*b, &f.n("jobs.dlq")).await.is_empty());
    })
    .await;
}

async fn reject_dead_letters_at_once(backend: Backend) {
    let Some((f, jobs)) = setup(backend).await else {
        return;
    };
    within(30, async {
        let b = f.broker.clone();
        b.send(&jobs, msg("poison")).await.unwrap();
        let probe = Arc::new(Probe {
            reject: true,
            ..Probe::default()
        });
        let stop = CancellationToken::new();
        let task = spawn_workers(b.clone(), &jobs, options(2), probe.clone(), stop.clone());
        let mut dlq = b.consume(&f.n("jobs.dlq"), 1).await.unwrap();
        let d = next(&mut dlq).await;
        assert_eq!(d.message().id, "poison");
        assert_eq!(d.message().headers[DEATH_REASON], "bad payload");
        assert_eq!(
            probe.calls.load(Ordering::SeqCst),
            1,
            "no retry after Reject"
        );
        stop.cancel();
        task.await.unwrap();
    })
    .await;
}

struct Slow {
    started: AtomicBool,
    finished: AtomicBool,
}

#[async_trait]
impl Handler for Slow {
    async fn handle(&self, _d: &dyn Delivery) -> Result<(), HandleError> {
        self.started.store(true, Ordering::SeqCst);
        tokio::time::sleep(Duration::from_millis(300)).await;
        self.finished.store(true, Ordering::SeqCst);
        Ok(())
    }
}

async fn shutdown_waits_for_in_flight_handlers_and_stops_claiming(backend: Backend) {
    let Some((f, jobs)) = setup(backend).await else {
        return;
    };
    within(30, async {
        let b = f.broker.clone();
        b.send(&jobs, msg("a")).await.unwrap();
        let slow = Arc::new(Slow {
            started: AtomicBool::new(false),
            finished: AtomicBool::new(false),
        });
        let stop = CancellationToken::new();
        let task = spawn_workers(b.clone(), &jobs, options(1), slow.clone(), stop.clone());
        eventually(|| async { slow.started.load(Ordering::SeqCst) }).await;
        b.send(&jobs, msg("b")).await.unwrap();
        stop.cancel();
        task.await.unwrap();
        assert!(
            slow.finished.load(Ordering::SeqCst),
            "in-flight handler must finish"
        );
        // "a" was acked; "b" was never started and is still there.
        eventually(|| async { b.queue_depth(&jobs).await.unwrap() == 1 }).await;
        assert_eq!(drain(&*b, &jobs).await, ["b"]);
    })
    .await;
}
