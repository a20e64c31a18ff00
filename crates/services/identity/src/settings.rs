//! The service's settings (the `identity` section of the process configuration).

use std::time::Duration;

use quorum_service::Secret;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// `iss` of every access token.
    pub issuer: String,
    /// `aud` of every access token.
    pub audience: String,
    /// Access-token lifetime, seconds.
    pub access_ttl_secs: u64,
    /// Refresh-token lifetime (each refresh starts a new one), seconds.
    pub refresh_ttl_secs: u64,
    /// Days a signing key signs before it is rotated.
    pub rotation_days: u64,
    /// Seconds a new key is published in the JWKS before it signs.
    pub rotation_lead_secs: u64,
    /// How often the rotation task looks at the keys, seconds.
    pub rotation_check_secs: u64,
    /// Argon2id memory cost, KiB (OWASP: 19456).
    pub argon2_memory_kib: u32,
    /// Argon2id iterations (OWASP: 2).
    pub argon2_iterations: u32,
    /// Argon2id lanes.
    pub argon2_parallelism: u32,
    /// 32 bytes, base64: the signing keys are stored encrypted (AES-256-GCM) under it.
    /// Empty: stored plain, as before. Never printed or serialized.
    #[serde(skip_serializing)]
    pub key_encryption_key: Secret,
    /// Failed sign-ins (or wrong current passwords) an account takes before each further
    /// attempt must wait; 0 makes every failure wait.
    pub login_free_failures: u32,
    /// The wait after the last free failure, seconds; it doubles with each further one.
    pub login_backoff_base_secs: u64,
    /// The longest wait, seconds.
    pub login_backoff_max_secs: u64,
    /// Failures older than this are forgotten, seconds.
    pub login_failure_window_secs: u64,
    /// How long the code of an e-mail change stays valid, seconds.
    pub email_change_ttl_secs: u64,
    /// Whether a new e-mail address takes effect only once the code sent to it is entered.
    /// Not read from the configuration: the process sets it when it can send e-mail
    /// (`notification.smtp.host`), since the code has to reach the address.
    #[serde(skip)]
    pub confirm_email_changes: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            issuer: "quorum".into(),
            audience: "quorum-api".into(),
            access_ttl_secs: 900,
            refresh_ttl_secs: 1_209_600,
            rotation_days: 30,
            rotation_lead_secs: 3600,
            rotation_check_secs: 60,
            argon2_memory_kib: 19_456,
            argon2_iterations: 2,
            argon2_parallelism: 1,
            key_encryption_key: Secret::default(),
            login_free_failures: 5,
            login_backoff_base_secs: 1,
            login_backoff_max_secs: 300,
            login_failure_window_secs: 3600,
            email_change_ttl_secs: 86_400,
            confirm_email_changes: false,
        }
    }
}

impl Settings {
    pub(crate) fn access_ttl(&self) -> Duration {
        Duration::from_secs(self.access_ttl_secs)
    }
    pub(crate) fn refresh_ttl(&self) -> Duration {
        Duration::from_secs(self.refresh_ttl_secs)
    }
    pub(crate) fn rotation_period(&self) -> Duration {
        Duration::from_secs(self.rotation_days.saturating_mul(86_400))
    }
    pub(crate) fn rotation_lead(&self) -> Duration {
        Duration::from_secs(self.rotation_lead_secs)
    }
    /// The wait an account's `failures`-th failure imposes before the next attempt: none
    /// below the free ones, then base × 2^(failures − free), capped.
    pub(crate) fn login_backoff(&self, failures: u32) -> Duration {
        let Some(beyond) = failures.checked_sub(self.login_free_failures) else {
            return Duration::ZERO;
        };
        let factor = 1u64.checked_shl(beyond.min(63)).unwrap_or(u64::MAX);
        let secs = self
            .login_backoff_base_secs
            .saturating_mul(factor)
            .min(self.login_backoff_max_secs);
        Duration::from_secs(secs)
    }
    pub(crate) fn rotation_check(&self) -> Duration {
        Duration::from_secs(self.rotation_check_secs.max(1))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_and_unknown_keys_are_refused() {
        let s: Settings = serde_json::from_str("{}").unwrap();
        assert_eq!(s, Settings::default());
        assert_eq!(s.issuer, "quorum");
        assert_eq!(s.access_ttl(), Duration::from_secs(900));
        let s: Settings = serde_json::from_str(r#"{"rotation_days": 7}"#).unwrap();
        assert_eq!(s.rotation_period(), Duration::from_secs(7 * 86_400));
        let err = serde_json::from_str::<Settings>(r#"{"ttl": 5}"#).unwrap_err();
        assert!(err.to_string().contains("ttl"), "{err}");
        let err = serde_json::from_str::<Settings>(r#"{"confirm_email_changes": true}"#);
        assert!(
            err.is_err(),
            "derived from notification.smtp.host, not configured"
        );
    }

    #[test]
    fn the_login_backoff_doubles_after_the_free_failures_up_to_the_cap() {
        let s = Settings::default();
        let waits: Vec<u64> = (0..=16).map(|n| s.login_backoff(n).as_secs()).collect();
        assert_eq!(
            waits,
            [0, 0, 0, 0, 0, 1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]
        );
        assert_eq!(s.login_backoff(u32::MAX).as_secs(), 300);
    }
}
