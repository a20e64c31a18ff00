//! Rate limiting: the [`RateLimiter`] trait and an in-process GCRA implementation.
//!
//! GCRA (the generic cell rate algorithm) keeps one timestamp per key, the *theoretical
//! arrival time* (TAT). A quota of `limit` per `period` has an emission interval
//! `T = period / limit`; a request at `now` is allowed when `max(TAT, now) + T - period <= now`,
//! and then moves TAT to `max(TAT, now) + T`. That allows a burst of `limit` and then a steady
//! `limit / period`. [`RedisRateLimiter`] (`rate_limit/redis.rs`) runs the same maths in a
//! Lua script so the limit holds across gateway replicas.

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::Duration;

use async_trait::async_trait;
use http::{HeaderMap, HeaderValue};
use tokio::time::Instant;

use crate::settings::GroupLimits;

mod redis;
pub use self::redis::RedisRateLimiter;

/// `limit` requests per `period`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Quota {
    pub limit: u32,
    pub period: Duration,
}

impl Quota {
    pub fn new(limit: u32, period: Duration) -> Self {
        Self { limit, period }
    }

    /// The quotas of a group (a 0 window is skipped).
    pub(crate) fn of_group(limits: &GroupLimits) -> Vec<Quota> {
        [
            (limits.per_minute, Duration::from_secs(60)),
            (limits.per_hour, Duration::from_secs(3_600)),
        ]
        .into_iter()
        .filter(|(limit, _)| *limit > 0)
        .map(|(limit, period)| Quota::new(limit, period))
        .collect()
    }

    fn emission_interval(&self) -> Duration {
        // `limit > 0` is guaranteed by the callers (`of_group` filters zero windows, `check`
        // skips them); max(1) keeps the division total anyway.
        self.period / self.limit.max(1)
    }
}

/// The outcome of one check, reported for the most constraining quota.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitDecision {
    pub allowed: bool,
    /// The quota's limit (`RateLimit-Limit`).
    pub limit: u32,
    /// Requests left in the quota after this one (`RateLimit-Remaining`).
    pub remaining: u32,
    /// Until the quota is fully replenished (`RateLimit-Reset`).
    pub reset: Duration,
    /// When refused: until a request would be allowed (`Retry-After`).
    pub retry_after: Option<Duration>,
}

impl RateLimitDecision {
    /// Writes `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` and, when refused,
    /// `Retry-After` (whole seconds, rounded up).
    pub(crate) fn write_headers(&self, headers: &mut HeaderMap) {
        headers.insert("ratelimit-limit", HeaderValue::from(self.limit));
        headers.insert("ratelimit-remaining", HeaderValue::from(self.remaining));
        headers.insert("ratelimit-reset", HeaderValue::from(ceil_secs(self.reset)));
        if let Some(retry) = self.retry_after {
            headers.insert(
                http::header::RETRY_AFTER,
                HeaderValue::from(ceil_secs(retry).max(1)),
            );
        }
    }
}

fn ceil_secs(d: Duration) -> u64 {
    d.as_secs() + u64::from(d.subsec_nanos() > 0)
}

/// The rate-limit store could not answer (the gateway then lets the request through).
#[derive(Debug, thiserror::Error)]
#[error("rate limiter unavailable: {0}")]
pub struct RateLimitError(pub String);

/// Checks and consumes one request for `key` against every quota; a refused request consumes
/// nothing.
#[async_trait]
pub trait RateLimiter: Send + Sync + 'static {
    async fn check(&self, key: &str, quotas: &[Quota])
        -> Result<RateLimitDecision, RateLimitError>;
}

/// In-process GCRA, for the all-in-one mode and tests.
pub struct MemoryRateLimiter {
    base: Instant,
    state: Mutex<State>,
}

struct State {
    /// (key, quota index) → TAT as an offset from `base`.
    tats: HashMap<(String, usize), Duration>,
    prune_at: usize,
}

const PRUNE_THRESHOLD: usize = 10_000;

impl Default for MemoryRateLimiter {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryRateLimiter {
    pub fn new() -> Self {
        Self {
            base: Instant::now(),
            state: Mutex::new(State {
                tats: HashMap::new(),
                prune_at: PRUNE_THRESHOLD,
            }),
        }
    }

    fn check_now(&self, key: &str, quotas: &[Quota]) -> RateLimitDecision {
        let now = self.base.elapsed();
        // A poisoned lock only means another request panicked mid-update; the map of
        // timestamps is still usable.
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let mut updates = Vec::with_capacity(quotas.len());
        let mut worst_allowed: Option<RateLimitDecision> = None;
        let mut refused: Option<RateLimitDecision> = None;

        for (index, quota) in quotas.iter().enumerate().filter(|(_, q)| q.limit > 0) {
            let t = quota.emission_interval();
            let tat = state
                .tats
                .get(&(key.to_string(), index))
                .copied()
                .unwrap_or(now)
                .max(now);
            let new_tat = tat + t;
            let allow_at = new_tat.saturating_sub(quota.period);
            if allow_at > now {
                let decision = RateLimitDecision {
                    allowed: false,
                    limit: quota.limit,
                    remaining: 0,
                    reset: tat - now,
                    retry_after: Some(allow_at - now),
                };
                if refused.is_none_or(|r| r.retry_after < decision.retry_after) {
                    refused = Some(decision);
                }
            } else {
                let headroom = (now + quota.period).saturating_sub(new_tat);
                let remaining = (headroom.as_nanos() / t.as_nanos().max(1)) as u32;
                let decision = RateLimitDecision {
                    allowed: true,
                    limit: quota.limit,
                    remaining: remaining.min(quota.limit),
                    reset: new_tat - now,
                    retry_after: None,
                };
                if worst_allowed.is_none_or(|w| w.remaining > decision.remaining) {
                    worst_allowed = Some(decision);
                }
                updates.push((index, new_tat));
            }
        }

        if let Some(refused) = refused {
            return refused;
        }
        for (index, tat) in updates {
            state.tats.insert((key.to_string(), index), tat);
        }
        if state.tats.len() > state.prune_at {
            state.tats.retain(|_, tat| *tat > now);
            state.prune_at = (state.tats.len() * 2).max(PRUNE_THRESHOLD);
        }
        worst_allowed.unwrap_or(RateLimitDecision {
            allowed: true,
            limit: 0,
            remaining: 0,
            reset: Duration::ZERO,
            retry_after: None,
        })
    }
}

#[async_trait]
impl RateLimiter for MemoryRateLimiter {
    async fn check(
        &self,
        key: &str,
        quotas: &[Quota],
    ) -> Result<RateLimitDecision, RateLimitError> {
        Ok(self.check_now(key, quotas))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn per_minute(n: u32) -> Vec<Quota> {
        vec![Quota::new(n, Duration::from_secs(60))]
    }

    #[tokio::test(start_paused = true)]
    async fn allows_a_burst_of_the_limit_then_refuses() {
        let rl = MemoryRateLimiter::new();
        for expected_remaining in (0..5).rev() {
            let d = rl.check("k", &per_minute(5)).await.unwrap();
            assert!(d.allowed);
            assert_eq!(d.remaining, expected_remaining);
        }
        let d = rl.check("k", &per_minute(5)).await.unwrap();
        assert!(!d.allowed);
        assert_eq!(d.retry_after, Some(Duration::from_secs(12)));
        // Another key has its own budget.
        assert!(rl.check("other", &per_minute(5)).await.unwrap().allowed);
    }

    #[tokio::test(start_paused = true)]
    async fn replenishes_one_request_per_emission_interval() {
        let rl = MemoryRateLimiter::new();
        for _ in 0..5 {
            rl.check("k", &per_minute(5)).await.unwrap();
        }
        tokio::time::advance(Duration::from_secs(11)).await;
        assert!(!rl.check("k", &per_minute(5)).await.unwrap().allowed);
        tokio::time::advance(Duration::from_secs(1)).await;
        assert!(rl.check("k", &per_minute(5)).await.unwrap().allowed);
        assert!(!rl.check("k", &per_minute(5)).await.unwrap().allowed);
    }

    #[tokio::test(start_paused = true)]
    async fn every_quota_must_allow_and_a_refusal_consumes_nothing() {
        let rl = MemoryRateLimiter::new();
        let quotas = [
            Quota::new(3, Duration::from_secs(60)),
            Quota::new(4, Duration::from_secs(3_600)),
        ];
        for _ in 0..3 {
            assert!(rl.check("k", &quotas).await.unwrap().allowed);
        }
        let refused = rl.check("k", &quotas).await.unwrap();
        assert!(!refused.allowed);
        assert_eq!(refused.limit, 3);
        tokio::time::advance(Duration::from_secs(60)).await;
        // The minute window refilled; the hour window has one request left.
        let d = rl.check("k", &quotas).await.unwrap();
        assert!(d.allowed);
        assert_eq!((d.limit, d.remaining), (4, 0));
        let refused = rl.check("k", &quotas).await.unwrap();
        assert_eq!(refused.limit, 4);
        assert_eq!(refused.retry_after, Some(Duration::from_secs(900 - 60)));
    }

    #[test]
    fn headers_round_up_to_whole_seconds() {
        let mut headers = HeaderMap::new();
        RateLimitDecision {
            allowed: false,
            limit: 5,
            remaining: 0,
            reset: Duration::from_millis(59_001),
            retry_after: Some(Duration::from_millis(100)),
        }
        .write_headers(&mut headers);
        assert_eq!(headers["ratelimit-limit"], "5");
        assert_eq!(headers["ratelimit-remaining"], "0");
        assert_eq!(headers["ratelimit-reset"], "60");
        assert_eq!(headers["retry-after"], "1");
    }
}
