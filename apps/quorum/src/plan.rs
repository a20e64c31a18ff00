//! What one process runs: every service and the gateway (the all-in-one default), or the
//! part named on the command line (`quorum serve meeting --role read`, `quorum serve
//! gateway`) in the distributed mode.

use std::fmt;

use crate::Settings;

/// The six services, in start-up order.
pub const SERVICES: [&str; 6] = [
    "identity",
    "meeting",
    "transcript",
    "ai",
    "todo",
    "notification",
];

/// The scaling group a service process belongs to (seed 004, case 4). The gateway sends
/// reads (`GET`, `HEAD`, `OPTIONS`) of a service with a read group
/// (`gateway.upstreams.<service>_read`) there, and everything else to the service's other
/// instances.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Role {
    /// Reads only: answers `GET`/`HEAD`/`OPTIONS`, refuses other methods with 421, and runs
    /// no consumers or outbox relays.
    Read,
    /// Writes: everything, including the consumers and outbox relays (behaves as `all`; the
    /// name says which gateway group the instances are in).
    Write,
    /// Reads and writes (the default).
    #[default]
    All,
}

impl Role {
    /// Whether this role runs consumers, relays and other background work.
    pub fn runs_background(self) -> bool {
        self != Role::Read
    }
}

impl fmt::Display for Role {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Role::Read => "read",
            Role::Write => "write",
            Role::All => "all",
        })
    }
}

/// The services and the gateway one process runs, and its role.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    services: Vec<&'static str>,
    gateway: bool,
    role: Role,
    /// `quorum migrate`: prepares databases and exits, so it needs no shared backends.
    migration: bool,
}

impl Default for Plan {
    fn default() -> Self {
        Self::all_in_one()
    }
}

impl Plan {
    /// Every service and the gateway.
    pub fn all_in_one() -> Self {
        Self {
            services: SERVICES.to_vec(),
            gateway: true,
            role: Role::All,
            migration: false,
        }
    }

    /// From `quorum serve NAME… [--role R]`: names of services and `gateway`; none means
    /// everything.
    pub fn parse(names: &[String], role: Role) -> Result<Self, String> {
        if names.is_empty() {
            return Ok(Self {
                role,
                ..Self::all_in_one()
            });
        }
        let mut services = Vec::new();
        let mut gateway = false;
        for name in names {
            let name = name.trim().to_ascii_lowercase();
            if name == "gateway" {
                gateway = true;
            } else if let Some(s) = SERVICES.iter().find(|s| **s == name) {
                if !services.contains(s) {
                    services.push(*s);
                }
            } else {
                return Err(format!(
                    "unknown service `{name}`: expected gateway, {}",
                    SERVICES.join(", ")
                ));
            }
        }
        // Start-up order, whatever the command line's.
        services.sort_by_key(|s| SERVICES.iter().position(|x| x == s));
        Ok(Self {
            services,
            gateway,
            role,
            migration: false,
        })
    }

    /// Only the services, to prepare their databases and exit (`quorum migrate`).
    pub fn for_migration(mut self) -> Self {
        self.gateway = false;
        self.migration = true;
        self
    }

    pub fn services(&self) -> &[&'static str] {
        &self.services
    }
    pub fn runs(&self, service: &str) -> bool {
        self.services.contains(&service)
    }
    pub fn gateway(&self) -> bool {
        self.gateway
    }
    pub fn role(&self) -> Role {
        self.role
    }
    /// Every service and the gateway in this one process.
    pub fn is_all_in_one(&self) -> bool {
        self.gateway && self.services.len() == SERVICES.len()
    }

    /// Settings a part of Quorum cannot run without: the other parts live in other processes
    /// and meet only in the shared backends.
    pub fn check(&self, settings: &Settings) -> Result<(), String> {
        let b = &settings.backends;
        let db = b.database_url.expose().trim();
        if !db.is_empty() && !db.contains("{service}") && self.services.len() > 1 {
            return Err(format!(
                "backends.database_url must contain `{{service}}`: each service has its own \
                 database (`postgres://…/quorum_{{service}}`), and this process runs {}",
                self.services.join(", ")
            ));
        }
        if self.role == Role::Read && self.gateway {
            return Err(
                "`--role read` is for service processes (`quorum serve meeting --role read`): a \
                 gateway in the same process would send writes to its own read-only services"
                    .into(),
            );
        }
        if self.is_all_in_one() || self.migration {
            return Ok(());
        }
        let part = self.to_string();
        if !self.services.is_empty() && b.amqp_url.is_blank() {
            return Err(format!(
                "`quorum serve {part}` runs a part of Quorum, whose events must reach the other \
                 processes: set backends.amqp_url (RabbitMQ). The embedded broker lives inside \
                 one process."
            ));
        }
        if b.redis_url.is_blank() {
            return Err(format!(
                "`quorum serve {part}` runs a part of Quorum: set backends.redis_url, through \
                 which every process shares revoked tokens, task status, rate limits and cache \
                 evictions."
            ));
        }
        let keys = settings.gateway.auth.jwks_upstream.as_str();
        if !self.gateway && !self.runs(keys) && !settings.gateway.upstreams.contains_key(keys) {
            return Err(format!(
                "gateway.upstreams.{keys}: `quorum serve {part}` checks every caller's access \
                 token itself, against the signing keys the {keys} service publishes; give its \
                 instances' URLs (QUORUM_GATEWAY__UPSTREAMS__{}=http://{keys}:8080)",
                keys.to_ascii_uppercase()
            ));
        }
        if self.gateway {
            for route in &settings.gateway.routes {
                let name = route.upstream.as_str();
                if !self.runs(name) && !settings.gateway.upstreams.contains_key(name) {
                    return Err(format!(
                        "gateway.upstreams.{name}: route `{}` goes to `{name}`, which this \
                         process does not run; give its instances' URLs \
                         (QUORUM_GATEWAY__UPSTREAMS__{}=http://host:8080)",
                        route.prefix,
                        name.to_ascii_uppercase()
                    ));
                }
            }
        }
        Ok(())
    }
}

impl fmt::Display for Plan {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts: Vec<&str> = self.services.clone();
        if self.gateway {
            parts.push("gateway");
        }
        write!(f, "{}", parts.join(" "))?;
        if self.role != Role::All {
            write!(f, " --role {}", self.role)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn no_names_is_everything() {
        let plan = Plan::parse(&[], Role::All).unwrap();
        assert!(plan.is_all_in_one());
        assert_eq!(plan, Plan::all_in_one());
    }

    #[test]
    fn names_are_checked_and_put_in_start_up_order() {
        let plan = Plan::parse(&names(&["todo", "Meeting", "todo"]), Role::Read).unwrap();
        assert_eq!(plan.services(), ["meeting", "todo"]);
        assert!(!plan.gateway());
        assert_eq!(plan.to_string(), "meeting todo --role read");
        let err = Plan::parse(&names(&["meetings"]), Role::All).unwrap_err();
        assert!(err.contains("unknown service `meetings`"), "{err}");
    }

    #[test]
    fn a_part_needs_the_shared_backends() {
        let mut settings = Settings::default();
        let plan = Plan::parse(&names(&["meeting"]), Role::All).unwrap();
        assert!(plan.check(&settings).unwrap_err().contains("amqp_url"));
        settings.backends.amqp_url = "amqp://localhost".into();
        assert!(plan.check(&settings).unwrap_err().contains("redis_url"));
        settings.backends.redis_url = "redis://localhost".into();
        // It verifies its callers against the identity service's keys: where are they?
        let err = plan.check(&settings).unwrap_err();
        assert!(err.contains("gateway.upstreams.identity"), "{err}");
        Plan::parse(&names(&["identity"]), Role::All)
            .unwrap()
            .check(&settings)
            .unwrap();
        settings
            .gateway
            .upstreams
            .insert("identity".into(), "http://identity:8080".parse().unwrap());
        plan.check(&settings).unwrap();
        // A read-only process cannot front the system.
        let reader = Plan::parse(&names(&["meeting", "gateway"]), Role::Read).unwrap();
        assert!(reader.check(&settings).unwrap_err().contains("--role read"));
        assert!(Plan::parse(&[], Role::Read)
            .unwrap()
            .check(&settings)
            .is_err());
        // The all-in-one process needs neither, nor does preparing databases.
        Plan::all_in_one().check(&Settings::default()).unwrap();
        plan.for_migration().check(&Settings::default()).unwrap();
        Plan::all_in_one()
            .for_migration()
            .check(&Settings::default())
            .unwrap();
    }

    #[test]
    fn one_database_url_without_a_placeholder_serves_one_service_only() {
        let mut settings = Settings::default();
        settings.backends.amqp_url = "amqp://localhost".into();
        settings.backends.redis_url = "redis://localhost".into();
        settings.backends.database_url = "postgres://db/quorum_meeting".into();
        settings
            .gateway
            .upstreams
            .insert("identity".into(), "http://identity:8080".parse().unwrap());
        Plan::parse(&names(&["meeting"]), Role::Read)
            .unwrap()
            .check(&settings)
            .unwrap();
        let err = Plan::all_in_one().check(&settings).unwrap_err();
        assert!(err.contains("{service}"), "{err}");
    }
}
