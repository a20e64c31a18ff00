//! Health indicators of one process: each service's database, the broker and the cache;
//! behind the gateway each indicator is one component of the system-wide
//! `/actuator/health`.

use std::sync::Arc;

use quorum_cache::CacheStore;
use quorum_gateway::{health_check_fn, ComponentHealth, HealthCheck};
use quorum_store::Dialect;
use quorum_telemetry::health::FnIndicator;
use quorum_telemetry::{Health, HealthIndicator, HealthRegistry, Status};

use crate::services::{Backends, Running};

/// The gateway serves the system-wide `/actuator/health`; each indicator is one component.
pub(crate) fn gateway_check(indicator: Arc<dyn HealthIndicator>) -> Arc<dyn HealthCheck> {
    health_check_fn(move || {
        let indicator = indicator.clone();
        async move {
            let health = indicator.check().await;
            let details = serde_json::Value::Object(health.details);
            match health.status {
                Status::Up => ComponentHealth::up(details),
                Status::Down => ComponentHealth::down(details),
            }
        }
    })
}

/// The indicators of this process: a database per running service, the broker, the cache.
pub(crate) fn health_registry(backends: &Backends, running: &[Running]) -> HealthRegistry {
    let mut registry = HealthRegistry::new();
    for service in running {
        let db = service.db.clone();
        registry = registry.with(FnIndicator::new(
            &format!("{}Db", service.name),
            move || {
                let db = db.clone();
                async move {
                    let engine = match db.dialect() {
                        Dialect::Sqlite => "SQLite",
                        Dialect::Postgres => "PostgreSQL",
                    };
                    match db.ping().await {
                        Ok(()) => Health::up().with_detail("database", engine),
                        Err(e) => Health::down(e),
                    }
                }
            },
        ));
    }
    let broker = backends.broker.clone();
    registry = registry.with(FnIndicator::new("broker", move || {
        let broker = broker.clone();
        async move {
            match broker.ping().await {
                Ok(()) => Health::up().with_detail("kind", broker.kind()),
                Err(e) => Health::down(e),
            }
        }
    }));
    registry.register(cache_indicator(backends.cache.clone()));
    registry
}

/// The cache's indicator: informational (the services work without it, only slower).
pub(crate) fn cache_indicator(cache: Arc<dyn CacheStore>) -> Arc<dyn HealthIndicator> {
    Arc::new(
        FnIndicator::new("cache", move || {
            let cache = cache.clone();
            async move {
                match cache.ping().await {
                    Ok(()) => Health::up().with_detail("kind", cache.kind()),
                    // The services keep working without the cache, only slower.
                    Err(e) => Health::down(e),
                }
            }
        })
        .informational(),
    )
}
