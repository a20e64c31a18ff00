//! Settings of the distributed mode: where each upstream's instances are
//! (`gateway.upstreams`), how requests to them are retried (`gateway.retry`,
//! `gateway.upload_retry`) and when an instance is taken out of rotation (`gateway.outlier`).
//! The numbers follow seed 004's Istio `VirtualService` and `DestinationRule`.

use std::fmt;
use std::str::FromStr;
use std::time::Duration;

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::Deserialize;

use crate::upstream::CallPolicy;

/// The instance base URLs of one upstream (`http://host:port`, no path).
///
/// Deserializes from a TOML list of strings or from one string of comma- or
/// whitespace-separated URLs, which is how an environment variable gives it:
/// `QUORUM_GATEWAY__UPSTREAMS__MEETING=http://meeting-1:8080,http://meeting-2:8080`.
/// The URLs are checked when the gateway is built (the error names the setting).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct UpstreamUrls(pub Vec<String>);

impl UpstreamUrls {
    pub fn new<S: Into<String>>(urls: impl IntoIterator<Item = S>) -> Self {
        Self(urls.into_iter().map(Into::into).collect())
    }
    pub fn as_slice(&self) -> &[String] {
        &self.0
    }
}

impl FromStr for UpstreamUrls {
    type Err = std::convert::Infallible;

    /// Splits on commas and whitespace; empty pieces are dropped.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self::new(
            s.split(|c: char| c == ',' || c.is_whitespace())
                .filter(|p| !p.is_empty()),
        ))
    }
}

impl<'de> Deserialize<'de> for UpstreamUrls {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct UrlsVisitor;

        impl<'de> Visitor<'de> for UrlsVisitor {
            type Value = UpstreamUrls;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a list of URLs or a string of comma-separated URLs")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(v.parse().unwrap_or_default())
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
                let mut urls = Vec::new();
                while let Some(url) = seq.next_element::<String>()? {
                    urls.push(url.trim().to_string());
                }
                Ok(UpstreamUrls(urls))
            }
        }

        deserializer.deserialize_any(UrlsVisitor)
    }
}

/// Retries of ordinary routes (seed 004: 3 s per try, up to 5 attempts, inside the route's
/// total `timeout_ms` of 10 s).
///
/// Only idempotent methods (GET, HEAD, OPTIONS, PUT, DELETE) are retried once the request may
/// have reached a service; a connection that could not be opened is retried for any method.
/// Bodies over 64 KiB or without a length are streamed and get exactly one attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RetrySettings {
    /// Time one attempt may take until the response head arrives (milliseconds).
    pub per_try_timeout_ms: u64,
    /// Attempts in all, the first included (1 = no retry).
    pub attempts: u32,
}

impl Default for RetrySettings {
    fn default() -> Self {
        Self {
            per_try_timeout_ms: 3_000,
            attempts: 5,
        }
    }
}

impl RetrySettings {
    pub(crate) fn policy(&self) -> CallPolicy {
        CallPolicy::new(
            Duration::from_millis(self.per_try_timeout_ms),
            self.attempts,
        )
    }
}

/// Retries of upload routes (seed 004: 10 s per try, 3 attempts). Recordings are streamed, so
/// in practice an upload gets one attempt, bounded by `upload_timeout_secs` rather than the
/// per-try timeout; these apply to small upload bodies only. A separate type from
/// [`RetrySettings`] so that overriding one key keeps the other's upload default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct UploadRetrySettings {
    /// Time one attempt may take until the response head arrives (milliseconds).
    pub per_try_timeout_ms: u64,
    /// Attempts in all, the first included (1 = no retry).
    pub attempts: u32,
}

impl Default for UploadRetrySettings {
    fn default() -> Self {
        Self {
            per_try_timeout_ms: 10_000,
            attempts: 3,
        }
    }
}

impl UploadRetrySettings {
    pub(crate) fn policy(&self) -> CallPolicy {
        CallPolicy::new(
            Duration::from_millis(self.per_try_timeout_ms),
            self.attempts,
        )
    }
}

/// Outlier ejection: a circuit breaker per instance (seed 004's `DestinationRule`).
///
/// Gateway errors are a connection that could not be opened, a per-try timeout, a reset
/// exchange and a 502/503/504 answer; every 5xx (500 included) counts toward
/// `consecutive_5xx`. An instance reaching either threshold is ejected for
/// `base_ejection_secs` × the number of times it has been ejected (at most 10×); when that
/// time is over it takes traffic again, and one more gateway error before its next success
/// ejects it again. A success a base ejection time after the last ejection ended resets the
/// multiplier. When every instance is ejected, requests go to all of them anyway (Envoy's
/// panic routing): a lone replica, or one Kubernetes Service URL, serves again as soon as it
/// answers.
///
/// Seed 004 ejects for 5 minutes; the default here is 30 s because a restarted replica is
/// back within seconds, and with two replicas a 5-minute ejection halves capacity for long
/// after it recovered. Repeat offenders still stay out longer through the multiplier.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OutlierSettings {
    /// Consecutive gateway errors that eject an instance (0: this rule is off).
    pub consecutive_gateway_errors: u32,
    /// Consecutive 5xx answers (gateway errors included) that eject an instance (0: off).
    pub consecutive_5xx: u32,
    /// The first ejection's length (seconds); the n-th lasts n times as long (n ≤ 10).
    pub base_ejection_secs: u64,
    /// At most this share of an upstream's instances is ejected at once (percent); at least
    /// one instance may always be ejected.
    pub max_ejection_percent: u32,
}

impl Default for OutlierSettings {
    fn default() -> Self {
        Self {
            consecutive_gateway_errors: 3,
            consecutive_5xx: 5,
            base_ejection_secs: 30,
            max_ejection_percent: 50,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    struct Holder {
        urls: UpstreamUrls,
    }

    #[test]
    fn urls_come_from_a_separated_string_or_a_list() {
        let from_str: Holder =
            serde_json::from_str(r#"{"urls": "http://a:1, http://b:2\thttp://c:3,"}"#).unwrap();
        assert_eq!(
            from_str.urls.as_slice(),
            ["http://a:1", "http://b:2", "http://c:3"]
        );
        let from_list: Holder =
            serde_json::from_str(r#"{"urls": ["http://a:1", " http://b:2 "]}"#).unwrap();
        assert_eq!(from_list.urls.as_slice(), ["http://a:1", "http://b:2"]);
        assert!(serde_json::from_str::<Holder>(r#"{"urls": 42}"#).is_err());
    }
}
