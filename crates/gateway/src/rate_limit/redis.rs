//! GCRA in Redis, so a limit holds across every gateway replica: one Lua script checks and
//! consumes all of a request's quotas atomically, on Redis's clock (replicas' clocks never
//! enter into it).

use std::time::Duration;

use async_trait::async_trait;
use quorum_cache::RedisLink;

use super::{MemoryRateLimiter, Quota, RateLimitDecision, RateLimitError, RateLimiter};

/// KEYS: one TAT key per quota. ARGV: limit and period (µs) per quota. Returns
/// `{allowed, quota index (1-based, 0 = none), remaining, reset µs, retry-after µs}` for the
/// most constraining quota; a refused request changes nothing.
const GCRA: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local new_tats = {}
local refused, refused_retry, refused_reset = 0, -1, 0
local worst, worst_remaining, worst_reset = 0, -1, 0
for i = 1, #KEYS do
  local limit = tonumber(ARGV[2 * i - 1])
  local period = tonumber(ARGV[2 * i])
  local interval = math.floor(period / limit)
  local tat = tonumber(redis.call('GET', KEYS[i]) or now)
  if tat < now then tat = now end
  local new_tat = tat + interval
  local allow_at = new_tat - period
  if allow_at > now then
    if allow_at - now > refused_retry then
      refused, refused_retry, refused_reset = i, allow_at - now, tat - now
    end
  else
    local remaining = math.floor((now + period - new_tat) / interval)
    if remaining > limit then remaining = limit end
    if worst_remaining < 0 or remaining < worst_remaining then
      worst, worst_remaining, worst_reset = i, remaining, new_tat - now
    end
    new_tats[i] = new_tat
  end
end
if refused > 0 then
  return {0, refused, 0, refused_reset, refused_retry}
end
for i = 1, #KEYS do
  if new_tats[i] then
    redis.call('SET', KEYS[i], new_tats[i], 'PX', math.ceil((new_tats[i] - now) / 1000) + 1)
  end
end
if worst == 0 then return {1, 0, 0, 0, 0} end
return {1, worst, worst_remaining, worst_reset, 0}
";

/// [`RateLimiter`] on Redis. While Redis cannot answer, each replica limits on its own with
/// the in-process GCRA: the limit still holds per replica (so across `n` replicas a caller
/// gets at most `n` times the limit) instead of refusing everyone or letting everyone
/// through.
pub struct RedisRateLimiter {
    link: RedisLink,
    prefix: String,
    script: redis::Script,
    fallback: MemoryRateLimiter,
}

impl RedisRateLimiter {
    /// A limiter on `url`; keys are `<prefix>ratelimit:<key>:<quota index>`. Nothing is
    /// connected yet; fails only on a malformed URL.
    pub fn new(url: &str, prefix: &str) -> Result<Self, RateLimitError> {
        Ok(Self {
            link: RedisLink::new(url).map_err(|e| RateLimitError(e.to_string()))?,
            prefix: prefix.to_owned(),
            script: redis::Script::new(GCRA),
            fallback: MemoryRateLimiter::new(),
        })
    }

    async fn check_redis(
        &self,
        key: &str,
        quotas: &[(usize, Quota)],
    ) -> Result<RateLimitDecision, RateLimitError> {
        let mut invocation = self.script.prepare_invoke();
        for (index, quota) in quotas {
            invocation
                .key(format!("{}ratelimit:{key}:{index}", self.prefix))
                .arg(quota.limit)
                .arg(u64::try_from(quota.period.as_micros()).unwrap_or(u64::MAX));
        }
        let mut conn = self
            .link
            .conn()
            .await
            .map_err(|e| RateLimitError(e.to_string()))?;
        let reply: redis::RedisResult<Vec<i64>> = invocation.invoke_async(&mut conn).await;
        let reply = self
            .link
            .checked(reply)
            .map_err(|e| RateLimitError(e.to_string()))?;
        let [allowed, which, remaining, reset, retry] = reply[..] else {
            return Err(RateLimitError(format!("unexpected script reply {reply:?}")));
        };
        let micros = |v: i64| Duration::from_micros(u64::try_from(v).unwrap_or(0));
        let limit = usize::try_from(which)
            .ok()
            .and_then(|i| i.checked_sub(1))
            .and_then(|i| quotas.get(i))
            .map_or(0, |(_, q)| q.limit);
        Ok(RateLimitDecision {
            allowed: allowed == 1,
            limit,
            remaining: u32::try_from(remaining).unwrap_or(0),
            reset: micros(reset),
            retry_after: (allowed != 1).then(|| micros(retry)),
        })
    }
}

#[async_trait]
impl RateLimiter for RedisRateLimiter {
    async fn check(
        &self,
        key: &str,
        quotas: &[Quota],
    ) -> Result<RateLimitDecision, RateLimitError> {
        let active: Vec<(usize, Quota)> = quotas
            .iter()
            .copied()
            .enumerate()
            .filter(|(_, q)| q.limit > 0)
            .collect();
        if active.is_empty() {
            return self.fallback.check(key, quotas).await;
        }
        match self.check_redis(key, &active).await {
            Ok(decision) => Ok(decision),
            Err(e) => {
                tracing::warn!(error = %e, "rate limiting on this replica alone until Redis answers");
                self.fallback.check(key, quotas).await
            }
        }
    }
}
