//! A circuit breaker over a sliding window of the last calls.

mod window;

use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use tokio::time::Instant;

use window::{Machine, Outcome, Ticket};

/// When the breaker trips and how it recovers.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BreakerConfig {
    /// The sliding window: outcomes of the last this-many calls (at least 1).
    pub window_size: usize,
    /// No tripping until the window holds this many calls (clamped to `1..=window_size`).
    pub minimum_calls: usize,
    /// Open when this fraction (0–1] of the window failed.
    pub failure_rate_threshold: f64,
    /// Open when this fraction (0–1] of the window took longer than `slow_call_duration`.
    pub slow_call_rate_threshold: f64,
    pub slow_call_duration: Duration,
    /// How long the circuit stays open before letting trial calls through.
    pub open_wait: Duration,
    /// Trial calls let through while half-open (at least 1); all must succeed, fast, to close.
    pub half_open_calls: usize,
}

impl Default for BreakerConfig {
    /// Window 20, minimum 10, 50 % failures or 80 % calls slower than 2 s, open 30 s, 3 trials.
    fn default() -> Self {
        Self {
            window_size: 20,
            minimum_calls: 10,
            failure_rate_threshold: 0.5,
            slow_call_rate_threshold: 0.8,
            slow_call_duration: Duration::from_secs(2),
            open_wait: Duration::from_secs(30),
            half_open_calls: 3,
        }
    }
}

/// Where the breaker is. The `circuit_breaker_state{name}` gauge reports 0, 1 and 2.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CircuitState {
    /// Calls go through; outcomes fill the window.
    Closed = 0,
    /// Calls are rejected at once until `open_wait` has passed.
    Open = 1,
    /// Up to `half_open_calls` trial calls go through; one failed or slow trial re-opens the
    /// circuit, all of them succeeding closes it.
    HalfOpen = 2,
}

/// A call through the breaker failed.
#[derive(Debug, thiserror::Error)]
pub enum BreakerError<E> {
    /// Rejected without calling: the circuit is open (or its half-open trials are taken).
    #[error("circuit {name} is open")]
    CircuitOpen { name: String },
    #[error(transparent)]
    Inner(E),
}

/// A named circuit breaker; clones share one state.
///
/// A call counts as failed when it returns `Err` (or when [`CircuitBreaker::call_with`]'s
/// predicate says so) and as slow when it takes longer than `slow_call_duration`. A call
/// cancelled mid-flight (its future dropped) counts as nothing. Wrap the call in a
/// [`crate::timeout`] inside the breaker so timeouts count as failures.
#[derive(Clone)]
pub struct CircuitBreaker {
    name: Arc<str>,
    config: BreakerConfig,
    machine: Arc<Mutex<Machine>>,
}

impl CircuitBreaker {
    pub fn new(name: &str, config: BreakerConfig) -> Self {
        let window_size = config.window_size.max(1);
        let config = BreakerConfig {
            window_size,
            minimum_calls: config.minimum_calls.clamp(1, window_size),
            half_open_calls: config.half_open_calls.max(1),
            ..config
        };
        let breaker = Self {
            name: name.into(),
            config,
            machine: Arc::new(Mutex::new(Machine::new(config))),
        };
        breaker.report(CircuitState::Closed);
        breaker
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    /// The current state (an open circuit whose wait is over reads as half-open).
    pub fn state(&self) -> CircuitState {
        let state = self.lock().state(Instant::now());
        self.report(state);
        state
    }

    /// Runs `fut` unless the circuit is open; an `Err` counts as a failure.
    pub async fn call<T, E, F>(&self, fut: F) -> Result<T, BreakerError<E>>
    where
        F: Future<Output = Result<T, E>>,
    {
        self.call_with(fut, |_| true).await
    }

    /// Like [`call`](Self::call), counting an `Err` as a failure only when `is_failure` says so
    /// (e.g. a 404 from a healthy dependency is not its failure).
    pub async fn call_with<T, E, F>(
        &self,
        fut: F,
        is_failure: impl FnOnce(&E) -> bool,
    ) -> Result<T, BreakerError<E>>
    where
        F: Future<Output = Result<T, E>>,
    {
        let permit = self.acquire()?;
        let started = Instant::now();
        let result = fut.await;
        let failed = result.as_ref().err().is_some_and(is_failure);
        let slow = started.elapsed() > self.config.slow_call_duration;
        permit.finish(Outcome { failed, slow });
        result.map_err(BreakerError::Inner)
    }

    fn acquire<E>(&self) -> Result<Permit<'_>, BreakerError<E>> {
        let (ticket, state) = {
            let mut machine = self.lock();
            let ticket = machine.try_acquire(Instant::now());
            (ticket, machine.state(Instant::now()))
        };
        self.report(state);
        match ticket {
            Some(ticket) => Ok(Permit {
                breaker: self,
                ticket: Some(ticket),
            }),
            None => Err(BreakerError::CircuitOpen {
                name: self.name.to_string(),
            }),
        }
    }

    // No code that can panic runs under this lock, so a poisoned one is still consistent.
    fn lock(&self) -> MutexGuard<'_, Machine> {
        self.machine.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn report(&self, state: CircuitState) {
        metrics::gauge!("circuit_breaker_state", "name" => self.name.to_string())
            .set(f64::from(state as u8));
    }
}

/// An admitted call; dropped unfinished (cancelled), it gives its half-open slot back.
struct Permit<'a> {
    breaker: &'a CircuitBreaker,
    ticket: Option<Ticket>,
}

impl Permit<'_> {
    fn finish(mut self, outcome: Outcome) {
        if let Some(ticket) = self.ticket.take() {
            let state = {
                let mut machine = self.breaker.lock();
                let changed = machine.record(ticket, outcome, Instant::now());
                (changed, machine.state(Instant::now()))
            };
            let (changed, state) = state;
            if changed {
                tracing::warn!(breaker = %self.breaker.name, ?state, "circuit state changed");
            }
            self.breaker.report(state);
        }
    }
}

impl Drop for Permit<'_> {
    fn drop(&mut self) {
        if let Some(ticket) = self.ticket.take() {
            self.breaker.lock().release(ticket);
        }
    }
}
