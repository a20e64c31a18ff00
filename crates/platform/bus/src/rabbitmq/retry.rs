//! Delayed redelivery on RabbitMQ: retry queues with one TTL each that dead-letter back.
//!
//! A nack with a delay republishes the message to `<queue>.retry.<tier>ms`, a queue nobody
//! consumes whose `x-message-ttl` is the tier and whose dead-letter target is `<queue>` via
//! the default exchange. All messages of a retry queue share one TTL, so they expire in
//! order (RabbitMQ only expires per-message TTLs at the head of a queue).

use std::time::Duration;

/// Retry delays in milliseconds; a delay is rounded up to the next tier (the last one caps).
pub const TIERS: [u64; 14] = [
    50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000, 900_000,
    3_600_000,
];

/// The tier that serves `delay`: the smallest not shorter than it, at most the last.
pub fn tier(delay: Duration) -> u64 {
    let ms = u64::try_from(delay.as_millis()).unwrap_or(u64::MAX);
    TIERS
        .iter()
        .copied()
        .find(|t| *t >= ms)
        .unwrap_or(TIERS[TIERS.len() - 1])
}

/// The retry queue of `queue` for `tier` milliseconds.
pub fn queue_name(queue: &str, tier: u64) -> String {
    format!("{queue}.retry.{tier}ms")
}

/// Whether `name` is a retry queue of this scheme (its `x-death` entries are not deaths).
pub fn is_retry_queue(name: &str) -> bool {
    name.rsplit_once(".retry.")
        .and_then(|(_, t)| t.strip_suffix("ms"))
        .is_some_and(|t| t.parse::<u64>().is_ok_and(|t| TIERS.contains(&t)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn delays_round_up_to_a_tier_and_cap_at_the_last() {
        assert_eq!(tier(Duration::ZERO), 50);
        assert_eq!(tier(Duration::from_millis(10)), 50);
        assert_eq!(tier(Duration::from_millis(600)), 1_000);
        assert_eq!(tier(Duration::from_millis(1_000)), 1_000);
        assert_eq!(tier(Duration::from_secs(86_400)), 3_600_000);
    }

    #[test]
    fn retry_queue_names_are_recognised() {
        assert_eq!(queue_name("jobs", 250), "jobs.retry.250ms");
        assert!(is_retry_queue("jobs.retry.250ms"));
        assert!(!is_retry_queue("jobs.retry.7ms"));
        assert!(!is_retry_queue("jobs.dlq"));
        assert!(!is_retry_queue("retry"));
    }
}
