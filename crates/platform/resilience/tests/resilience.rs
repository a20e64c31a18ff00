//! Timeout, retry and circuit breaker behaviour under paused tokio time.

#![allow(clippy::restriction)] // test code: a failed step should stop the test

use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use quorum_resilience::{
    timeout, BreakerConfig, BreakerError, CircuitBreaker, CircuitState, Elapsed, RetryPolicy,
};
use tokio::time::{advance, sleep, Instant};

const MS: Duration = Duration::from_millis(1);

#[derive(Debug, PartialEq)]
enum CallError {
    Transient,
    Permanent,
}

/// Runs `policy` over a call that always fails with `error`; returns the gaps between calls.
async fn failing_calls(policy: RetryPolicy, error: fn() -> CallError) -> Vec<Duration> {
    let mut at = Vec::new();
    let result: Result<(), CallError> = policy
        .retry(
            |e| *e == CallError::Transient,
            || {
                at.push(Instant::now());
                async move { Err(error()) }
            },
        )
        .await;
    assert!(result.is_err());
    at.windows(2).map(|w| w[1] - w[0]).collect()
}

fn exact(max_attempts: u32, budget: Duration) -> RetryPolicy {
    RetryPolicy {
        max_attempts,
        base_delay: 100 * MS,
        max_delay: 500 * MS,
        budget,
        full_jitter: false,
    }
}

#[tokio::test(start_paused = true)]
async fn retry_delays_double_up_to_the_max_and_stop_at_max_attempts() {
    let gaps = failing_calls(exact(6, Duration::from_secs(60)), || CallError::Transient).await;
    assert_eq!(gaps, [100 * MS, 200 * MS, 400 * MS, 500 * MS, 500 * MS]);
}

#[tokio::test(start_paused = true)]
async fn jittered_delays_stay_within_their_caps() {
    let policy = RetryPolicy {
        full_jitter: true,
        ..exact(8, Duration::from_secs(60))
    };
    let gaps = failing_calls(policy, || CallError::Transient).await;
    assert_eq!(gaps.len(), 7);
    for (i, gap) in gaps.iter().enumerate() {
        assert!(*gap <= policy.delay_cap(i as u32 + 1), "gap {i} = {gap:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn retry_stops_when_the_budget_would_be_exceeded() {
    // Calls at 0, 100 and 300 ms; the next sleep (400 ms) would end past the 350 ms budget.
    let gaps = failing_calls(exact(10, 350 * MS), || CallError::Transient).await;
    assert_eq!(gaps, [100 * MS, 200 * MS]);
}

#[tokio::test(start_paused = true)]
async fn non_retryable_errors_are_returned_at_once() {
    let gaps = failing_calls(exact(5, Duration::from_secs(60)), || CallError::Permanent).await;
    assert!(gaps.is_empty());
}

#[tokio::test(start_paused = true)]
async fn retry_returns_the_first_success() {
    let calls = AtomicUsize::new(0);
    let result = exact(5, Duration::from_secs(60))
        .retry(
            |_: &CallError| true,
            || async {
                match calls.fetch_add(1, Ordering::SeqCst) {
                    0 | 1 => Err(CallError::Transient),
                    n => Ok(n),
                }
            },
        )
        .await;
    assert_eq!(result, Ok(2));
}

#[tokio::test(start_paused = true)]
async fn timeout_reports_how_long_it_waited() {
    let slow = timeout(50 * MS, sleep(100 * MS)).await;
    assert_eq!(slow, Err(Elapsed { after: 50 * MS }));
    assert_eq!(timeout(50 * MS, async { 7 }).await, Ok(7));
}

fn breaker() -> CircuitBreaker {
    CircuitBreaker::new(
        "test",
        BreakerConfig {
            window_size: 4,
            minimum_calls: 4,
            failure_rate_threshold: 0.5,
            slow_call_rate_threshold: 0.75,
            slow_call_duration: 100 * MS,
            open_wait: Duration::from_secs(10),
            half_open_calls: 2,
        },
    )
}

async fn ok(b: &CircuitBreaker) -> Result<(), BreakerError<()>> {
    b.call(async { Ok::<_, ()>(()) }).await
}

async fn fail(b: &CircuitBreaker) -> Result<(), BreakerError<()>> {
    b.call(async { Err::<(), _>(()) }).await
}

async fn trip(b: &CircuitBreaker) {
    for _ in 0..4 {
        let _ = fail(b).await;
    }
    assert_eq!(b.state(), CircuitState::Open);
}

#[tokio::test(start_paused = true)]
async fn breaker_opens_once_the_failure_rate_reaches_the_threshold() {
    let b = breaker();
    ok(&b).await.unwrap();
    let _ = fail(&b).await;
    ok(&b).await.unwrap();
    assert_eq!(
        b.state(),
        CircuitState::Closed,
        "below the minimum number of calls"
    );
    let _ = fail(&b).await;
    assert_eq!(b.state(), CircuitState::Open, "2 of 4 failed");
}

#[tokio::test(start_paused = true)]
async fn breaker_forgets_outcomes_outside_its_window() {
    let b = breaker();
    let _ = fail(&b).await;
    for _ in 0..4 {
        ok(&b).await.unwrap();
    }
    let _ = fail(&b).await;
    assert_eq!(b.state(), CircuitState::Closed, "1 of the last 4 failed");
}

#[tokio::test(start_paused = true)]
async fn an_open_breaker_rejects_without_calling() {
    let b = breaker();
    trip(&b).await;
    let calls = AtomicUsize::new(0);
    let result = b
        .call(async {
            calls.fetch_add(1, Ordering::SeqCst);
            Ok::<_, ()>(())
        })
        .await;
    assert!(matches!(result, Err(BreakerError::CircuitOpen { ref name }) if name == "test"));
    assert_eq!(calls.load(Ordering::SeqCst), 0);
}

#[tokio::test(start_paused = true)]
async fn breaker_half_opens_after_the_wait_and_closes_after_good_trials() {
    let b = breaker();
    trip(&b).await;
    advance(Duration::from_secs(9)).await;
    assert_eq!(b.state(), CircuitState::Open);
    advance(Duration::from_secs(1)).await;
    assert_eq!(b.state(), CircuitState::HalfOpen);
    ok(&b).await.unwrap();
    assert_eq!(b.state(), CircuitState::HalfOpen, "one of two trials done");
    ok(&b).await.unwrap();
    assert_eq!(b.state(), CircuitState::Closed);
}

#[tokio::test(start_paused = true)]
async fn half_open_admits_only_its_trial_calls() {
    let b = breaker();
    trip(&b).await;
    advance(Duration::from_secs(10)).await;
    let slow_trial = || {
        b.call(async {
            sleep(50 * MS).await;
            Ok::<_, ()>(())
        })
    };
    let (t1, t2, t3) = tokio::join!(slow_trial(), slow_trial(), slow_trial());
    let rejected = [&t1, &t2, &t3]
        .iter()
        .filter(|r| matches!(r, Err(BreakerError::CircuitOpen { .. })))
        .count();
    assert_eq!(rejected, 1);
    assert_eq!(b.state(), CircuitState::Closed);
}

#[tokio::test(start_paused = true)]
async fn a_failed_trial_reopens_the_breaker() {
    let b = breaker();
    trip(&b).await;
    advance(Duration::from_secs(10)).await;
    ok(&b).await.unwrap();
    assert!(matches!(fail(&b).await, Err(BreakerError::Inner(()))));
    assert_eq!(b.state(), CircuitState::Open);
    assert!(matches!(
        ok(&b).await,
        Err(BreakerError::CircuitOpen { .. })
    ));
}

#[tokio::test(start_paused = true)]
async fn slow_successful_calls_open_the_breaker() {
    let b = breaker();
    let slow = || {
        b.call(async {
            sleep(150 * MS).await;
            Ok::<_, ()>(())
        })
    };
    for _ in 0..2 {
        slow().await.unwrap();
    }
    ok(&b).await.unwrap();
    assert_eq!(b.state(), CircuitState::Closed);
    slow().await.unwrap();
    assert_eq!(
        b.state(),
        CircuitState::Open,
        "3 of 4 calls were slow: the 75 % threshold"
    );
}

#[tokio::test(start_paused = true)]
async fn errors_the_predicate_excuses_do_not_count() {
    let b = breaker();
    for _ in 0..4 {
        let r = b
            .call_with(async { Err::<(), _>("not found") }, |_| false)
            .await;
        assert!(matches!(r, Err(BreakerError::Inner("not found"))));
    }
    assert_eq!(b.state(), CircuitState::Closed);
}
