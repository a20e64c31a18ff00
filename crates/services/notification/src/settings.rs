//! The service's settings (the `notification` section of the process configuration).

use serde::Deserialize;

/// Notification settings. With no `smtp.host` e-mail is off and notifications are in-app
/// only (readiness reports it, informationally).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub smtp: SmtpSettings,
    /// The web app's public address; e-mails link to pages under it.
    pub public_url: String,
    /// E-mail jobs sent at once from `notification.queue` (at least 1).
    pub workers: usize,
    /// Events handled at once by each event consumer (at least 1).
    pub consumers: usize,
    /// First delay before a transiently failed e-mail is tried again; doubles per attempt.
    pub retry_base_ms: u64,
    /// Longest delay between e-mail attempts.
    pub retry_max_ms: u64,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            smtp: SmtpSettings::default(),
            public_url: "http://localhost:8080".into(),
            workers: 4,
            consumers: 2,
            retry_base_ms: 5_000,
            retry_max_ms: 300_000,
        }
    }
}

/// How the SMTP connection is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum Security {
    /// Plain text (local relays and test sinks only).
    None,
    /// Plain connection upgraded with `STARTTLS` (port 587).
    #[default]
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
}

/// The outgoing mail server.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SmtpSettings {
    /// `None` turns e-mail off.
    pub host: Option<String>,
    pub port: u16,
    pub security: Security,
    pub username: Option<String>,
    pub password: Option<Secret>,
    /// The `From:` address, e.g. `Quorum <no-reply@quorum.example>`.
    pub from: String,
    /// Connect and command timeout.
    pub timeout_ms: u64,
}

impl Default for SmtpSettings {
    fn default() -> Self {
        Self {
            host: None,
            port: 587,
            security: Security::Starttls,
            username: None,
            password: None,
            from: "Quorum <no-reply@quorum.local>".into(),
            timeout_ms: 10_000,
        }
    }
}

pub use quorum_service::Secret;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_and_unknown_keys_are_refused() {
        let s: Settings = serde_json::from_str("{}").unwrap();
        assert_eq!(s, Settings::default());
        assert_eq!(s.workers, 4);
        assert!(s.smtp.host.is_none());
        let s: Settings = serde_json::from_str(
            r#"{"smtp": {"host": "mail", "port": 25, "security": "none", "password": "hunter2"}}"#,
        )
        .unwrap();
        assert_eq!(s.smtp.security, Security::None);
        assert_eq!(s.smtp.password.as_ref().unwrap().expose(), "hunter2");
        let err = serde_json::from_str::<Settings>(r#"{"smtp": {"hots": "x"}}"#).unwrap_err();
        assert!(err.to_string().contains("hots"), "{err}");
        let err = serde_json::from_str::<Settings>(r#"{"smtp": {"security": "ssl"}}"#);
        assert!(err.is_err());
    }

    #[test]
    fn the_password_never_prints() {
        let s: Settings = serde_json::from_str(r#"{"smtp": {"password": "hunter2"}}"#).unwrap();
        let shown = format!("{s:?}");
        assert!(!shown.contains("hunter2"), "{shown}");
        assert!(shown.contains("Secret(***)"), "{shown}");
    }
}
