//! The instances of one HTTP upstream: which one takes the next try (least request of two
//! random choices among those not ejected) and outlier ejection, a circuit breaker per
//! instance (see [`OutlierSettings`] for the rules). Time comes in as a parameter, so the
//! state machine is tested without clocks.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use http::uri::{Authority, Scheme};
use http::Uri;
use rand::Rng;
use tokio::time::Instant;

use crate::settings::OutlierSettings;

/// Ejections last at most this many times the base ejection time.
const MAX_EJECTION_MULTIPLIER: u32 = 10;

/// One instance: its base URL and the requests it has in flight.
pub(super) struct Instance {
    /// `http://host:port`, as configured (no trailing `/`).
    pub(super) url: String,
    pub(super) authority: Authority,
    in_flight: AtomicUsize,
}

impl Instance {
    /// Accepts `http://host[:port]` with no path (or `/`), query or user info.
    pub(super) fn parse(url: &str) -> Result<Self, String> {
        let uri: Uri = url
            .parse()
            .map_err(|e| format!("`{url}` is not a URL: {e}"))?;
        if uri.scheme() != Some(&Scheme::HTTP) {
            return Err(format!("`{url}` must start with http://"));
        }
        let authority = match uri.authority() {
            Some(a) if !a.host().is_empty() && !a.as_str().contains('@') => a.clone(),
            _ => return Err(format!("`{url}` needs a host (and no user info)")),
        };
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() {
            return Err(format!(
                "`{url}` must be a base URL without a path or query"
            ));
        }
        Ok(Self {
            url: format!("http://{authority}"),
            authority,
            in_flight: AtomicUsize::new(0),
        })
    }
}

/// What one try told about an instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Outcome {
    /// Any answer below 500.
    Success,
    /// A 5xx answer other than 502/503/504.
    ServerError,
    /// No connection, a timeout, a reset exchange or a 502/503/504 answer.
    GatewayError,
}

#[derive(Debug, Default)]
struct Record {
    consecutive_gateway: u32,
    consecutive_5xx: u32,
    ejected_until: Option<Instant>,
    times_ejected: u32,
    /// Ejected before and no success since: one gateway error ejects it again.
    probation: bool,
}

impl Record {
    fn is_ejected(&self, now: Instant) -> bool {
        self.ejected_until.is_some_and(|until| now < until)
    }
}

pub(super) struct Pool {
    pub(super) name: String,
    pub(super) instances: Vec<Instance>,
    records: Mutex<Vec<Record>>,
    outlier: OutlierSettings,
}

impl Pool {
    pub(super) fn new(name: String, instances: Vec<Instance>, outlier: OutlierSettings) -> Self {
        let records = instances.iter().map(|_| Record::default()).collect();
        Self {
            name,
            instances,
            records: Mutex::new(records),
            outlier,
        }
    }

    fn records(&self) -> MutexGuard<'_, Vec<Record>> {
        // The records stay consistent even if a holder panicked: every update is one field.
        self.records.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The instance for the next try: among those not ejected, preferring ones not `tried`
    /// yet, the one with fewer requests in flight of two picked at random. `None` when every
    /// instance is ejected.
    pub(super) fn pick(&self, tried: &[usize], now: Instant) -> Option<usize> {
        let available: Vec<usize> = {
            let records = self.records();
            let up: Vec<usize> = (0..records.len())
                .filter(|&i| !records[i].is_ejected(now))
                .collect();
            // Every instance out (a lone replica restarting, or one Kubernetes Service URL
            // in front of many pods): route to all of them anyway, as Envoy's panic mode
            // does, so traffic resumes with the first instance that answers instead of at
            // the end of the ejection.
            if up.is_empty() {
                (0..records.len()).collect()
            } else {
                up
            }
        };
        let fresh: Vec<usize> = available
            .iter()
            .copied()
            .filter(|i| !tried.contains(i))
            .collect();
        let candidates = if fresh.is_empty() { available } else { fresh };
        match candidates.len() {
            0 => None,
            1 => Some(candidates[0]),
            n => {
                let mut rng = rand::thread_rng();
                let a = rng.gen_range(0..n);
                let b = (a + rng.gen_range(1..n)) % n;
                let (a, b) = (candidates[a], candidates[b]);
                Some(if self.in_flight(b) < self.in_flight(a) {
                    b
                } else {
                    a
                })
            }
        }
    }

    pub(super) fn in_flight(&self, idx: usize) -> usize {
        self.instances[idx].in_flight.load(Ordering::Relaxed)
    }

    /// Counts a request in flight on `idx` until the guard is dropped.
    pub(super) fn begin(self: &Arc<Self>, idx: usize) -> InFlight {
        self.instances[idx]
            .in_flight
            .fetch_add(1, Ordering::Relaxed);
        InFlight {
            pool: Arc::clone(self),
            idx,
        }
    }

    /// How long `idx` stays ejected, if it is.
    pub(super) fn ejected_for(&self, idx: usize, now: Instant) -> Option<Duration> {
        self.records()[idx]
            .ejected_until
            .filter(|&until| now < until)
            .map(|until| until - now)
    }

    /// Updates `idx`'s counters with the outcome of a try; ejects it when a threshold is met.
    pub(super) fn record(&self, idx: usize, outcome: Outcome, now: Instant) {
        let mut records = self.records();
        let ejected_now = records.iter().filter(|r| r.is_ejected(now)).count();
        let record = &mut records[idx];
        if record.is_ejected(now) {
            // A late answer from before the ejection changes nothing.
            return;
        }
        match outcome {
            Outcome::Success => {
                record.consecutive_gateway = 0;
                record.consecutive_5xx = 0;
                record.probation = false;
                // Healthy for a base ejection time since it came back: a clean slate.
                let base = Duration::from_secs(self.outlier.base_ejection_secs);
                if record
                    .ejected_until
                    .is_some_and(|until| now >= until + base)
                {
                    record.times_ejected = 0;
                }
                return;
            }
            Outcome::ServerError => {
                record.consecutive_gateway = 0;
                record.consecutive_5xx += 1;
            }
            Outcome::GatewayError => {
                record.consecutive_gateway += 1;
                record.consecutive_5xx += 1;
            }
        }
        // A threshold of 0 turns that rule off.
        let o = &self.outlier;
        let trip = (o.consecutive_gateway_errors > 0
            && record.consecutive_gateway >= o.consecutive_gateway_errors)
            || (o.consecutive_5xx > 0 && record.consecutive_5xx >= o.consecutive_5xx)
            || (record.probation && outcome == Outcome::GatewayError);
        if !trip || ejected_now >= self.max_ejected() {
            return;
        }
        record.times_ejected += 1;
        let multiplier = record.times_ejected.min(MAX_EJECTION_MULTIPLIER);
        let duration = Duration::from_secs(self.outlier.base_ejection_secs) * multiplier;
        record.ejected_until = Some(now + duration);
        record.consecutive_gateway = 0;
        record.consecutive_5xx = 0;
        record.probation = true;
        let instance = &self.instances[idx].url;
        tracing::warn!(
            upstream = %self.name,
            instance = %instance,
            ejection_secs = duration.as_secs(),
            times_ejected = record.times_ejected,
            "upstream instance ejected"
        );
        metrics::counter!(
            "gateway_upstream_ejections_total",
            "upstream" => self.name.clone(),
            // Not `instance`: Prometheus sets that label to the scraped target.
            "endpoint" => instance.clone()
        )
        .increment(1);
    }

    /// `max(1, instances × max_ejection_percent / 100)`.
    fn max_ejected(&self) -> usize {
        let percent = self.outlier.max_ejection_percent as usize;
        (self.instances.len() * percent / 100).max(1)
    }
}

/// A request in flight on one instance; dropping it ends the count.
pub(super) struct InFlight {
    pool: Arc<Pool>,
    idx: usize,
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.pool.instances[self.idx]
            .in_flight
            .fetch_sub(1, Ordering::Relaxed);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pool(n: usize) -> Arc<Pool> {
        let instances = (0..n)
            .map(|i| Instance::parse(&format!("http://10.0.0.{i}:8080")).unwrap())
            .collect();
        Arc::new(Pool::new(
            "meeting".into(),
            instances,
            OutlierSettings::default(),
        ))
    }

    const BASE: Duration = Duration::from_secs(30);

    #[test]
    fn only_plain_http_base_urls_are_instances() {
        assert_eq!(Instance::parse("http://a:80/").unwrap().url, "http://a:80");
        for bad in [
            "https://a:1",
            "a:1",
            "http://a:1/api",
            "http://a:1?x=1",
            "http://u@a:1",
            "",
        ] {
            assert!(Instance::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn prefers_untried_instances_with_fewer_requests_in_flight() {
        let pool = pool(2);
        let now = Instant::now();
        let _busy = [pool.begin(0), pool.begin(0)];
        for _ in 0..20 {
            assert_eq!(pool.pick(&[], now), Some(1));
            assert_eq!(pool.pick(&[1], now), Some(0), "a retry goes elsewhere");
        }
        drop(_busy);
        assert_eq!(pool.in_flight(0), 0);
        let picks: Vec<_> = (0..100).filter_map(|_| pool.pick(&[], now)).collect();
        assert!(
            picks.contains(&0) && picks.contains(&1),
            "ties are broken at random"
        );
    }

    #[test]
    fn three_gateway_errors_eject_for_the_base_time_then_longer() {
        let pool = pool(2);
        let t0 = Instant::now();
        for _ in 0..2 {
            pool.record(0, Outcome::GatewayError, t0);
        }
        assert_eq!(pool.ejected_for(0, t0), None);
        pool.record(0, Outcome::GatewayError, t0);
        assert_eq!(pool.ejected_for(0, t0), Some(BASE));
        assert!((0..20).all(|_| pool.pick(&[], t0) == Some(1)));

        // Back after the ejection; one more gateway error ejects it for twice as long.
        let t1 = t0 + BASE;
        assert_eq!(pool.ejected_for(0, t1), None);
        pool.record(0, Outcome::GatewayError, t1);
        assert_eq!(pool.ejected_for(0, t1), Some(2 * BASE));
    }

    #[test]
    fn a_success_resets_the_counters_and_ends_probation() {
        let pool = pool(2);
        let t0 = Instant::now();
        for outcome in [
            Outcome::GatewayError,
            Outcome::GatewayError,
            Outcome::Success,
            Outcome::GatewayError,
            Outcome::GatewayError,
        ] {
            pool.record(0, outcome, t0);
        }
        assert_eq!(pool.ejected_for(0, t0), None);
        pool.record(0, Outcome::GatewayError, t0);
        let t1 = t0 + BASE;
        pool.record(0, Outcome::Success, t1);
        pool.record(0, Outcome::GatewayError, t1);
        assert_eq!(
            pool.ejected_for(0, t1),
            None,
            "probation ended with the success"
        );
    }

    #[test]
    fn serving_well_for_a_base_ejection_time_forgets_past_ejections() {
        let pool = pool(2);
        let t0 = Instant::now();
        for _ in 0..3 {
            pool.record(0, Outcome::GatewayError, t0);
        }
        let t1 = t0 + BASE;
        pool.record(0, Outcome::Success, t1);
        pool.record(0, Outcome::Success, t1 + BASE);
        for _ in 0..3 {
            pool.record(0, Outcome::GatewayError, t1 + BASE);
        }
        assert_eq!(pool.ejected_for(0, t1 + BASE), Some(BASE));
    }

    #[test]
    fn five_server_errors_eject_and_a_500_breaks_a_gateway_error_streak() {
        let pool = pool(2);
        let now = Instant::now();
        for outcome in [
            Outcome::GatewayError,
            Outcome::GatewayError,
            Outcome::ServerError,
            Outcome::GatewayError,
        ] {
            pool.record(0, outcome, now);
        }
        assert_eq!(pool.ejected_for(0, now), None);
        pool.record(0, Outcome::ServerError, now);
        assert_eq!(
            pool.ejected_for(0, now),
            Some(BASE),
            "the fifth 5xx in a row"
        );
    }

    #[test]
    fn at_most_half_the_instances_are_ejected_but_a_lone_one_can_be() {
        let pool = pool(2);
        let now = Instant::now();
        for idx in [0, 1] {
            for _ in 0..3 {
                pool.record(idx, Outcome::GatewayError, now);
            }
        }
        assert!(pool.ejected_for(0, now).is_some());
        assert_eq!(pool.ejected_for(1, now), None, "50 % of two is one");
        assert_eq!(pool.pick(&[], now), Some(1));

        let lone = self::pool(1);
        for _ in 0..3 {
            lone.record(0, Outcome::GatewayError, now);
        }
        assert!(lone.ejected_for(0, now).is_some());
        assert_eq!(
            lone.pick(&[], now),
            Some(0),
            "every instance out: panic routing"
        );
        assert_eq!(
            lone.pick(&[], now + BASE),
            Some(0),
            "half-open after the ejection"
        );
    }

    #[test]
    fn the_multiplier_is_capped() {
        let pool = pool(1);
        let mut now = Instant::now();
        for _ in 0..12 {
            for _ in 0..3 {
                pool.record(0, Outcome::GatewayError, now);
            }
            let ejected = pool.ejected_for(0, now).unwrap();
            assert!(ejected <= BASE * MAX_EJECTION_MULTIPLIER);
            now += ejected;
        }
        pool.record(0, Outcome::GatewayError, now);
        assert_eq!(
            pool.ejected_for(0, now),
            Some(BASE * MAX_EJECTION_MULTIPLIER)
        );
    }
}
