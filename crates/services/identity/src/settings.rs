//! The service's settings (the `identity` section of the process configuration).

use std::time::Duration;

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
    }
}
