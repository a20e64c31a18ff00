//! The one start-up path: [`Application::build`] → [`Application::port`] →
//! [`Application::run_until_stopped`].

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::Router;
use quorum_auth::{MemoryRevocationList, RevocationList, SharedRevocationList};
use quorum_bus::{Broker, EmbeddedBroker, RabbitBroker, RabbitOptions};
use quorum_cache::{CacheStore, MemoryStore, RedisStore, TieredStore};
use quorum_gateway::{
    health_check_fn, ComponentHealth, Gateway, HealthCheck, InProcess, RedisRateLimiter, Upstream,
};
use quorum_store::{Db, Dialect};
use quorum_tasks::{MemoryTaskStore, RedisTaskStore, TaskStore};
use quorum_telemetry::health::FnIndicator;
use quorum_telemetry::{BuildInfo, Health, HealthIndicator, HealthRegistry, Status};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::services::{self, open_db, Backends, Running};
use crate::Settings;

/// A built, listening Quorum process.
pub struct Application {
    listener: TcpListener,
    port: u16,
    router: Router,
    background: Vec<JoinHandle<()>>,
    stop: CancellationToken,
    grace: Duration,
    dbs: Vec<Db>,
    services: Vec<(&'static str, Router)>,
}

impl Application {
    /// Opens every database (running migrations), starts consumers and relays, builds the
    /// gateway, and binds the listener (`server.port = 0` picks a free port).
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        let prometheus = quorum_telemetry::metrics::install();
        let data = settings.data.dir.clone();
        std::fs::create_dir_all(&data)
            .with_context(|| format!("data.dir: cannot create `{}`", data.display()))?;
        settings.backends.validate().map_err(anyhow::Error::msg)?;
        let (backends, broker_db) = shared_backends(&data, &settings).await?;
        backends
            .broker
            .declare(&services::topology(&settings))
            .await
            .context("declaring the broker topology")?;

        let stop = CancellationToken::new();
        let services::Assembled {
            running,
            background,
            indicators,
        } = services::assemble(&settings, &backends, &data, &stop).await?;

        let mut gateway_settings = settings.gateway.clone();
        // One source of truth for what the identity service signs and the gateway expects.
        gateway_settings.auth.issuer = settings.identity.issuer.clone();
        gateway_settings.auth.audience = settings.identity.audience.clone();
        gateway_settings
            .routes
            .retain(|r| running.iter().any(|s| s.name == r.upstream));
        let recording_max = settings.meeting.recording_max_bytes;
        if (gateway_settings.upload_body_limit_bytes as u64) < recording_max {
            tracing::warn!(
                gateway_limit = gateway_settings.upload_body_limit_bytes,
                recording_max,
                "gateway.upload_body_limit_bytes is below meeting.recording_max_bytes: the \
                 gateway refuses (413) recordings the meeting service would take"
            );
        }
        let mut builder = Gateway::builder()
            .settings(gateway_settings)
            .revocations(backends.revocations.clone());
        let redis = settings.backends.redis_url.trim();
        if !redis.is_empty() {
            // GCRA in Redis: one limit across every gateway replica.
            let limiter = RedisRateLimiter::new(redis, &settings.backends.redis_prefix)
                .map_err(|e| anyhow::anyhow!("backends.redis_url: {e}"))?;
            builder = builder.rate_limiter(Arc::new(limiter));
        }
        let mut service_routers = Vec::new();
        for s in &running {
            let router = service_router(s.name, s.router.clone(), backends.cache.clone());
            service_routers.push((s.name, router.clone()));
            let upstream: Arc<dyn Upstream> = Arc::new(InProcess::new(router));
            builder = builder
                .upstream(s.name, upstream)
                .openapi(s.name, s.openapi.clone());
        }

        let mut registry = health_registry(&backends, &running);
        for indicator in indicators {
            registry.register(indicator);
        }
        let info = BuildInfo {
            name: "quorum",
            version: env!("CARGO_PKG_VERSION"),
            started: Instant::now(),
            services: running.iter().map(|s| s.name.to_string()).collect(),
        };
        for indicator in registry.indicators() {
            builder = builder.health_check(indicator.name(), gateway_check(indicator.clone()));
        }
        let ops = quorum_telemetry::ops_router(registry, info, prometheus);
        let router = builder
            .local_routes(ops)
            .build()
            .context("building the gateway")?;

        let addr = format!("{}:{}", settings.server.host, settings.server.port);
        let listener = TcpListener::bind(&addr)
            .await
            .with_context(|| format!("server.host/server.port: cannot listen on {addr}"))?;
        let port = listener.local_addr()?.port();
        let mut dbs: Vec<Db> = running.iter().map(|s| s.db.clone()).collect();
        dbs.extend(broker_db);
        Ok(Self {
            listener,
            port,
            router,
            background,
            stop,
            grace: Duration::from_secs(settings.server.shutdown_grace_secs),
            dbs,
            services: service_routers,
        })
    }

    /// Creates or upgrades every database, then returns. Building the application runs every
    /// migration; it is then stopped the normal way, so background work that started drains
    /// before the databases close.
    pub async fn migrate(settings: &Settings) -> anyhow::Result<()> {
        let mut settings = settings.clone();
        settings.server.port = 0;
        settings.server.host = "127.0.0.1".into();
        Self::build(settings)
            .await?
            .run_until_stopped(std::future::ready(()))
            .await
    }

    /// A service's own router, without the gateway in front (it trusts `x-quorum-user-id`).
    /// For benchmarks and diagnostics that compare the gateway with a direct call; never
    /// expose it on a network.
    pub fn service_router(&self, name: &str) -> Option<Router> {
        self.services
            .iter()
            .find(|(n, _)| *n == name)
            .map(|(_, r)| r.clone())
    }

    /// The port the listener is bound to.
    pub fn port(&self) -> u16 {
        self.port
    }

    /// Serves until `shutdown` resolves, then stops accepting, lets in-flight requests and
    /// background work (consumers, outbox relays) finish within the grace period, and closes
    /// the databases.
    pub async fn run_until_stopped(
        self,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> anyhow::Result<()> {
        let stop = self.stop.clone();
        let drained = stop.clone();
        let server = axum::serve(
            self.listener,
            self.router
                .into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            tokio::select! {
                _ = shutdown => {}
                _ = stop.cancelled() => {}
            }
            stop.cancel();
        });
        let grace = self.grace;
        let server = async move {
            // The server drains open requests after the signal; give it the grace period.
            let mut server = std::pin::pin!(server.into_future());
            tokio::select! {
                r = &mut server => r.map_err(anyhow::Error::from),
                _ = async { drained.cancelled().await; tokio::time::sleep(grace).await } => {
                    tracing::warn!("grace period over; closing remaining connections");
                    Ok(())
                }
            }
        };
        let result = server.await;
        self.stop.cancel();
        let background = futures::future::join_all(self.background);
        if tokio::time::timeout(self.grace, background).await.is_err() {
            tracing::warn!("background work did not finish within the grace period");
        }
        for db in &self.dbs {
            db.close().await;
        }
        tracing::info!("stopped");
        result
    }
}

/// The backends every service of this process shares: the broker named by
/// `backends.amqp_url` (RabbitMQ) or the embedded one (its database is returned to be closed
/// last), and the cache, revoked tokens and task status: in-process, or with
/// `backends.redis_url` in Redis (the cache behind an in-process L1; revocations and tasks
/// shared by every replica).
async fn shared_backends(
    data: &Path,
    settings: &Settings,
) -> anyhow::Result<(Backends, Option<Db>)> {
    let amqp = settings.backends.amqp_url.trim();
    let (broker, broker_db): (Arc<dyn Broker>, _) = if amqp.is_empty() {
        let db = open_db(settings, data, "broker").await?;
        let broker = EmbeddedBroker::with_db(db.clone())
            .await
            .context("opening the embedded broker")?;
        (Arc::new(broker), Some(db))
    } else {
        let options = RabbitOptions {
            quorum_queues: settings.backends.amqp_quorum_queues,
            connection_name: format!("quorum {}", env!("CARGO_PKG_VERSION")),
            ..RabbitOptions::default()
        };
        let broker = RabbitBroker::connect(amqp, options)
            .await
            .context("backends.amqp_url: connecting to RabbitMQ")?;
        (Arc::new(broker), None)
    };
    let redis = settings.backends.redis_url.trim();
    let redis_store = || {
        RedisStore::new(redis, &settings.backends.redis_prefix)
            .map_err(|e| anyhow::anyhow!("backends.redis_url: {e}"))
    };
    let (cache, revocations, tasks): (
        Arc<dyn CacheStore>,
        Arc<dyn RevocationList>,
        Arc<dyn TaskStore>,
    ) = if redis.is_empty() {
        (
            Arc::new(MemoryStore::new(settings.cache.max_entries)),
            Arc::new(MemoryRevocationList::new()),
            Arc::new(MemoryTaskStore::new()),
        )
    } else {
        let l2 = redis_store()?;
        if let Err(e) = l2.ping().await {
            // Not fatal: the services work without the cache, only slower.
            tracing::warn!(error = %e, "Redis is not answering; reads go to the databases");
        }
        let cache = TieredStore::new(
            l2,
            settings.cache.max_entries,
            Duration::from_secs(settings.cache.l1_ttl_secs.max(1)),
        );
        let revocations = SharedRevocationList::new(Arc::new(redis_store()?));
        let tasks = RedisTaskStore::new(redis, &settings.backends.redis_prefix)
            .map_err(|e| anyhow::anyhow!("backends.redis_url: {e}"))?;
        (Arc::new(cache), Arc::new(revocations), Arc::new(tasks))
    };
    let backends = Backends {
        broker,
        cache,
        revocations,
        tasks,
    };
    Ok((backends, broker_db))
}

/// What every service router gets in every mode: request metrics by matched route and
/// `Idempotency-Key` replay.
fn service_router(name: &'static str, router: Router, cache: Arc<dyn CacheStore>) -> Router {
    router
        .layer(quorum_web::idempotency::layer(cache))
        .layer(axum::middleware::from_fn_with_state(
            name,
            quorum_telemetry::metrics::track,
        ))
}

/// The gateway serves the system-wide `/actuator/health`; each indicator is one component.
fn gateway_check(indicator: Arc<dyn HealthIndicator>) -> Arc<dyn HealthCheck> {
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

fn health_registry(backends: &Backends, running: &[Running]) -> HealthRegistry {
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
    let cache = backends.cache.clone();
    registry.with(
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
