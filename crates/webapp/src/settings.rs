//! `[web]` settings.

use std::time::Duration;

use serde::Deserialize;

use crate::zone::Zone;

/// The web app's settings.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct WebSettings {
    /// Serve the web app at `/` (the API is served either way).
    pub enabled: bool,
    /// How long a session lasts; extended each time its access token is refreshed. It ends
    /// sooner when the refresh token behind it (`identity.refresh_ttl_secs`) is refused.
    pub session_ttl_secs: u64,
    /// Mark the session cookie `Secure`: `auto` (when the request came over TLS, as a proxy
    /// says with `X-Forwarded-Proto: https`), `always` or `never`.
    pub secure_cookies: SecureCookies,
    /// The time zone dates are shown in to people who have not chosen one in their settings:
    /// an IANA name (`Asia/Seoul`) or a UTC offset (`+09:00`).
    pub timezone: String,
}

/// When the session cookie is marked `Secure`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SecureCookies {
    Auto,
    Always,
    Never,
}

impl Default for WebSettings {
    fn default() -> Self {
        Self {
            enabled: true,
            session_ttl_secs: 1_209_600,
            secure_cookies: SecureCookies::Auto,
            timezone: "+09:00".into(),
        }
    }
}

impl WebSettings {
    pub(crate) fn session_ttl(&self) -> Duration {
        Duration::from_secs(self.session_ttl_secs.max(60))
    }

    /// The display time zone; `validate` has refused anything else.
    pub(crate) fn zone(&self) -> Zone {
        Zone::parse(&self.timezone).unwrap_or_else(Zone::utc)
    }

    /// Settings that can never work, named.
    pub fn validate(&self) -> Result<(), String> {
        if Zone::parse(&self.timezone).is_none() {
            return Err(format!(
                "web.timezone must be a time zone name such as `Asia/Seoul` or a UTC offset \
                 such as `+09:00` (got `{}`)",
                self.timezone
            ));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_zone_or_an_offset_is_read_and_anything_else_refused_by_name() {
        let mut s = WebSettings::default();
        assert_eq!(s.zone().label(), "UTC+09:00");
        s.timezone = "-03:30".into();
        assert_eq!(s.zone().label(), "UTC-03:30");
        s.timezone = "Europe/Lisbon".into();
        assert_eq!(s.zone().name(), Some("Europe/Lisbon"));
        assert!(s.validate().is_ok());
        s.timezone = "KST".into();
        assert!(s.validate().unwrap_err().contains("web.timezone"));
    }
}
