//! The one settings tree, loaded once in `main` and passed down.
//!
//! Sources, later ones winning: built-in defaults, the TOML file (`quorum.toml` in the
//! working directory, or `--config PATH`), then environment variables `QUORUM_…` with `__`
//! between levels (`QUORUM_SERVER__PORT=9090`, `QUORUM_LOG__JSON=true`). Unknown keys and
//! ill-typed values are errors that name the key (an unknown one with the nearest key
//! there is); `QUORUM_…` variables that cannot be settings are left alone (`env`). Every key
//! is documented in `docs/configuration.md`.

mod env;

use std::path::{Path, PathBuf};

use figment::providers::{Env, Format, Toml};
use figment::Figment;
use quorum_service::Secret;
use serde::Deserialize;

pub(crate) use env::ignored_variables;

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    pub server: ServerSettings,
    pub data: DataSettings,
    pub log: LogSettings,
    pub cache: CacheSettings,
    pub backends: BackendSettings,
    pub identity: quorum_identity::Settings,
    pub meeting: quorum_meeting::Settings,
    pub transcript: quorum_transcript::Settings,
    pub ai: quorum_ai::Settings,
    pub todo: quorum_todo::Settings,
    pub notification: quorum_notification::Settings,
    pub gateway: quorum_gateway::GatewaySettings,
    pub web: quorum_webapp::WebSettings,
    pub management: ManagementSettings,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ServerSettings {
    /// Address to listen on.
    pub host: String,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// Seconds to let in-flight requests and jobs finish after SIGTERM/SIGINT.
    pub shutdown_grace_secs: u64,
}

impl Default for ServerSettings {
    fn default() -> Self {
        Self {
            host: "0.0.0.0".into(),
            port: 8080,
            shutdown_grace_secs: 20,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DataSettings {
    /// Directory for the embedded databases (one SQLite file per service plus the broker).
    pub dir: PathBuf,
}

impl Default for DataSettings {
    fn default() -> Self {
        Self {
            dir: PathBuf::from("./data"),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct LogSettings {
    /// `RUST_LOG`-style filter.
    pub level: String,
    /// One JSON object per line instead of human-readable lines.
    pub json: bool,
}

impl Default for LogSettings {
    fn default() -> Self {
        Self {
            level: "info".into(),
            json: false,
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CacheSettings {
    /// Entries kept by the in-process cache before the least used are dropped.
    pub max_entries: u64,
    /// With Redis (`backends.redis_url`): the longest an entry stays in the in-process L1.
    /// Writes on any replica evict it everywhere at once; this bounds staleness only when
    /// an eviction is lost (Redis unreachable at that moment).
    pub l1_ttl_secs: u64,
}

impl Default for CacheSettings {
    fn default() -> Self {
        Self {
            max_entries: 100_000,
            l1_ttl_secs: 60,
        }
    }
}

/// Where the databases and the broker live. Empty values mean the embedded ones in
/// `data.dir`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct BackendSettings {
    /// A PostgreSQL URL with `{service}` where each service's name goes, one database per
    /// service (`postgres://quorum:pw@db:5432/quorum_{service}`); databases that do not
    /// exist are created. A process that runs one service (`quorum serve meeting`) may name
    /// that service's database directly. Empty: one SQLite file per service in `data.dir`.
    pub database_url: Secret,
    /// Connections each service's PostgreSQL pool keeps at most.
    pub database_max_connections: u32,
    /// A RabbitMQ URL (`amqp://user:pw@host:5672/%2f`). Empty: the embedded broker
    /// (`broker.db` in `data.dir`, or the `broker` database under `database_url`).
    pub amqp_url: Secret,
    /// Declare RabbitMQ queues as quorum queues (replicated; needs a RabbitMQ cluster to
    /// be worth it).
    pub amqp_quorum_queues: bool,
    /// Redis for the cache (`redis://host:6379/0`), with the in-process cache as L1 in
    /// front of it. Empty: the in-process cache alone.
    pub redis_url: Secret,
    /// Prefix of every Redis key and channel, so several deployments can share a server.
    pub redis_prefix: String,
}

impl Default for BackendSettings {
    fn default() -> Self {
        Self {
            database_url: Secret::default(),
            database_max_connections: 10,
            amqp_url: Secret::default(),
            amqp_quorum_queues: false,
            redis_url: Secret::default(),
            redis_prefix: "quorum:".into(),
        }
    }
}

impl BackendSettings {
    /// The database URL of `service`, or `None` for the embedded SQLite file.
    pub fn database_url_for(&self, service: &str) -> Option<String> {
        let url = self.database_url.expose().trim();
        (!url.is_empty()).then(|| url.replace("{service}", service))
    }

    /// Settings that can never work, named.
    pub fn validate(&self) -> Result<(), String> {
        let urls = [
            (
                "database_url",
                &self.database_url,
                ["postgres", "postgresql"],
            ),
            ("amqp_url", &self.amqp_url, ["amqp", "amqps"]),
            ("redis_url", &self.redis_url, ["redis", "rediss"]),
        ];
        for (name, url, schemes) in urls {
            let scheme = url.expose().trim().split_once("://").map(|(s, _)| s);
            if !url.is_blank() && !scheme.is_some_and(|s| schemes.contains(&s)) {
                return Err(format!(
                    "backends.{name} must be a {}:// or {}:// URL (got `{}`)",
                    schemes[0],
                    schemes[1],
                    url.redacted()
                ));
            }
        }
        if self.database_max_connections == 0 {
            return Err("backends.database_max_connections must be at least 1".into());
        }
        Ok(())
    }
}

/// The operations endpoints (`/actuator/*`): who may read more than the status.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ManagementSettings {
    /// Bearer token for metrics, build information and health details. Empty: only
    /// clients on the same machine may read them (or anyone reaching `port`).
    pub token: Secret,
    /// A port of their own for the details (on `server.host`; `0` picks a free one); the
    /// main port then answers probes with the status only. Unset: the main port.
    pub port: Option<u16>,
}

/// Settings that cannot be read: the message names the key (or the variable) and, for an
/// unknown one, the nearest key there is.
#[derive(Debug)]
pub struct SettingsError(String);

impl std::fmt::Display for SettingsError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for SettingsError {}

impl Settings {
    /// Loads defaults, then `file` (or `./quorum.toml` if present), then the `QUORUM_…`
    /// variables that are settings (`QUORUM_<SECTION>__<KEY>`; see [`ignored_variables`]
    /// for the others).
    pub fn load(file: Option<&Path>) -> Result<Self, SettingsError> {
        let mut fig = Figment::new();
        match file {
            Some(path) => fig = fig.merge(Toml::file_exact(path)),
            None => fig = fig.merge(Toml::file("quorum.toml")),
        }
        let env = Env::prefixed("QUORUM_")
            .filter(|key| env::is_setting(key.as_str()))
            .split("__");
        fig.merge(env)
            .extract()
            .map_err(|e| SettingsError(env::explain(&e)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_backend_url_is_never_shown_with_its_password() {
        let mut backends = BackendSettings {
            database_url: "mysql://quorum:hunter2@db/quorum".into(),
            ..BackendSettings::default()
        };
        let err = backends.validate().unwrap_err();
        assert!(
            err.contains("backends.database_url must be a postgres://"),
            "{err}"
        );
        assert!(err.contains("mysql://quorum:***@db/quorum") && !err.contains("hunter2"));
        assert!(!format!("{backends:?}").contains("hunter2"));

        backends.database_url = "postgres://quorum:hunter2@db/quorum_{service}".into();
        backends.amqp_url = "amqp://guest:guest@rabbit/%2f".into();
        backends.redis_url = "redis://cache:6379".into();
        assert_eq!(backends.validate(), Ok(()));
        assert_eq!(
            backends.database_url_for("todo").as_deref(),
            Some("postgres://quorum:hunter2@db/quorum_todo")
        );
        backends.redis_url = "http://cache".into();
        assert!(backends
            .validate()
            .unwrap_err()
            .contains("backends.redis_url"));
    }
}
