//! Retry with exponential backoff and full jitter.

use std::future::Future;
use std::time::Duration;

use rand::Rng;
use tokio::time::Instant;

/// How to retry a failing call.
///
/// Only retry **idempotent** calls (reads, PUTs, requests carrying an `Idempotency-Key`): a
/// retried call may already have taken effect before it failed or timed out.
///
/// Before retry `n` (1-based) the policy sleeps a random time in `[0, min(max_delay,
/// base_delay · 2ⁿ⁻¹)]` ("full jitter", which spreads retries of many clients); with
/// `full_jitter: false` it sleeps exactly that cap. It stops after `max_attempts` calls in
/// all, or when the next sleep would take the total time past `budget`, and then returns the
/// last error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Calls in all, the first included (1 = no retry).
    pub max_attempts: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    /// Total time for all attempts and sleeps.
    pub budget: Duration,
    pub full_jitter: bool,
}

impl Default for RetryPolicy {
    /// 3 attempts, 100 ms base, 2 s max delay, 10 s budget, full jitter.
    fn default() -> Self {
        Self {
            max_attempts: 3,
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(2),
            budget: Duration::from_secs(10),
            full_jitter: true,
        }
    }
}

impl RetryPolicy {
    /// The longest sleep before retry `retry` (1-based).
    pub fn delay_cap(&self, retry: u32) -> Duration {
        let factor = 2u32.saturating_pow(retry.saturating_sub(1));
        self.base_delay.saturating_mul(factor).min(self.max_delay)
    }

    fn delay(&self, retry: u32) -> Duration {
        let cap = self.delay_cap(retry);
        if self.full_jitter && !cap.is_zero() {
            rand::thread_rng().gen_range(Duration::ZERO..=cap)
        } else {
            cap
        }
    }

    /// Runs `call` until it succeeds, fails with an error `is_retryable` rejects, or the
    /// policy gives up (see the type's docs).
    pub async fn retry<T, E, F, Fut>(
        &self,
        is_retryable: impl Fn(&E) -> bool,
        mut call: F,
    ) -> Result<T, E>
    where
        F: FnMut() -> Fut,
        Fut: Future<Output = Result<T, E>>,
    {
        let start = Instant::now();
        let mut attempt = 1;
        loop {
            let err = match call().await {
                Ok(v) => return Ok(v),
                Err(e) => e,
            };
            if attempt >= self.max_attempts || !is_retryable(&err) {
                return Err(err);
            }
            let delay = self.delay(attempt);
            if start.elapsed() + delay > self.budget {
                tracing::debug!(attempt, "retry budget spent; giving up");
                return Err(err);
            }
            tracing::debug!(attempt, ?delay, "call failed; retrying");
            tokio::time::sleep(delay).await;
            attempt += 1;
        }
    }
}
