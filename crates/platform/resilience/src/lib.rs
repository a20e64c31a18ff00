//! Resilience for calls to other systems: [`timeout`], [`RetryPolicy`] (exponential backoff
//! with full jitter) and [`CircuitBreaker`] (failure-rate and slow-call-rate tripping).
//!
//! All timing uses `tokio::time`, so tests drive it with `tokio::time::pause()`.
//!
//! Why not a crate: `tokio::time::timeout` is all a timeout needs (this wraps it in a typed
//! error); `backoff` is unmaintained (a RustSec advisory says so) and `backon` adds jitter to
//! the delay rather than drawing it in full from `[0, cap]`; `failsafe` has no slow-call rate.
//! So the retry loop and the breaker are written here, small.
//!
//! Layout: `timeout.rs`, `retry.rs`, `breaker.rs` (state machine in `breaker/window.rs`).

mod breaker;
mod retry;
mod timeout;

pub use breaker::{BreakerConfig, BreakerError, CircuitBreaker, CircuitState};
pub use retry::RetryPolicy;
pub use timeout::{timeout, Elapsed};
