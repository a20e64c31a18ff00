//! The one start-up path: [`Application::build`] → [`Application::port`] →
//! [`Application::run_until_stopped`].

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::body::Body;
use axum::http::{Method, Request};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use metrics_exporter_prometheus::PrometheusHandle;
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

use crate::plan::{Plan, Role};
use crate::services::{self, open_db, Backends, Running};
use crate::Settings;
use quorum_web::{Code, Problem};

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
    /// The all-in-one process: [`Application::build_plan`] with every service and the gateway.
    pub async fn build(settings: Settings) -> anyhow::Result<Self> {
        Self::build_plan(settings, Plan::all_in_one()).await
    }

    /// Opens the databases of the services `plan` runs (running migrations), starts their
    /// consumers and relays, builds the gateway when the plan has it (services of other
    /// processes reached over HTTP, `gateway.upstreams`), and binds the listener
    /// (`server.port = 0` picks a free port). A process without the gateway serves its
    /// services' routers directly, trusting `x-quorum-user-id`: only the gateway may reach it.
    pub async fn build_plan(settings: Settings, plan: Plan) -> anyhow::Result<Self> {
        let prometheus = quorum_telemetry::metrics::install();
        let data = settings.data.dir.clone();
        std::fs::create_dir_all(&data)
            .with_context(|| format!("data.dir: cannot create `{}`", data.display()))?;
        settings.backends.validate().map_err(anyhow::Error::msg)?;
        plan.check(&settings).map_err(anyhow::Error::msg)?;
        let stores = shared_stores(&settings).await?;

        let stop = CancellationToken::new();
        let mut running = Vec::new();
        let mut background = Vec::new();
        let mut registry = HealthRegistry::new();
        let mut broker_db = None;
        if !plan.services().is_empty() {
            let (broker, db) = shared_broker(&data, &settings).await?;
            broker_db = db;
            broker
                .declare(&services::topology(&settings))
                .await
                .context("declaring the broker topology")?;
            let backends = Backends {
                broker,
                cache: stores.cache.clone(),
                revocations: stores.revocations.clone(),
                tasks: stores.tasks.clone(),
            };
            let assembled = services::assemble(&settings, &plan, &backends, &data, &stop).await?;
            running = assembled.running;
            background = assembled.background;
            registry = health_registry(&backends, &running);
            for indicator in assembled.indicators {
                registry.register(indicator);
            }
        } else {
            registry.register(cache_indicator(stores.cache.clone()));
        }

        let mut service_routers = Vec::new();
        for s in &running {
            let router =
                service_router(s.name, s.router.clone(), stores.cache.clone(), plan.role());
            service_routers.push((s.name, router));
        }
        let info = BuildInfo {
            name: "quorum",
            version: env!("CARGO_PKG_VERSION"),
            started: Instant::now(),
            services: plan
                .services()
                .iter()
                .map(|s| s.to_string())
                .chain(plan.gateway().then(|| "gateway".to_string()))
                .collect(),
        };
        let router = if plan.gateway() {
            gateway(
                &settings,
                &plan,
                &stores,
                &service_routers,
                registry,
                info,
                prometheus,
            )?
        } else {
            // Services only: their routers side by side, and this process's own actuator.
            let mut router = quorum_telemetry::ops_router(registry, info, prometheus);
            for (_, r) in &service_routers {
                router = router.merge(r.clone());
            }
            router
        };

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

    /// Creates or upgrades the databases of the plan's services, then returns. Building the application runs every
    /// migration; it is then stopped the normal way, so background work that started drains
    /// before the databases close.
    pub async fn migrate(settings: &Settings, plan: Plan) -> anyhow::Result<()> {
        let mut settings = settings.clone();
        settings.server.port = 0;
        settings.server.host = "127.0.0.1".into();
        Self::build_plan(settings, plan.for_migration())
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

/// The stores every part of this process shares: in-process, or with `backends.redis_url`
/// in Redis (the cache behind an in-process L1; revoked tokens and task status shared by
/// every replica).
struct Stores {
    cache: Arc<dyn CacheStore>,
    revocations: Arc<dyn RevocationList>,
    tasks: Arc<dyn TaskStore>,
}

async fn shared_stores(settings: &Settings) -> anyhow::Result<Stores> {
    let redis = settings.backends.redis_url.trim();
    if redis.is_empty() {
        return Ok(Stores {
            cache: Arc::new(MemoryStore::new(settings.cache.max_entries)),
            revocations: Arc::new(MemoryRevocationList::new()),
            tasks: Arc::new(MemoryTaskStore::new()),
        });
    }
    let redis_store = || {
        RedisStore::new(redis, &settings.backends.redis_prefix)
            .map_err(|e| anyhow::anyhow!("backends.redis_url: {e}"))
    };
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
    Ok(Stores {
        cache: Arc::new(cache),
        revocations: Arc::new(revocations),
        tasks: Arc::new(tasks),
    })
}

/// The broker named by `backends.amqp_url` (RabbitMQ) or the embedded one (its database is
/// returned to be closed last).
async fn shared_broker(
    data: &Path,
    settings: &Settings,
) -> anyhow::Result<(Arc<dyn Broker>, Option<Db>)> {
    let amqp = settings.backends.amqp_url.trim();
    if amqp.is_empty() {
        let db = open_db(settings, data, "broker").await?;
        let broker = EmbeddedBroker::with_db(db.clone())
            .await
            .context("opening the embedded broker")?;
        return Ok((Arc::new(broker), Some(db)));
    }
    let options = RabbitOptions {
        quorum_queues: settings.backends.amqp_quorum_queues,
        connection_name: format!("quorum {}", env!("CARGO_PKG_VERSION")),
        ..RabbitOptions::default()
    };
    let broker = RabbitBroker::connect(amqp, options)
        .await
        .context("backends.amqp_url: connecting to RabbitMQ")?;
    Ok((Arc::new(broker), None))
}

/// The gateway in front of this process's services (in-process) and the others
/// (`gateway.upstreams`, over HTTP), with the process's actuator as local routes.
fn gateway(
    settings: &Settings,
    plan: &Plan,
    stores: &Stores,
    local: &[(&'static str, Router)],
    registry: HealthRegistry,
    info: BuildInfo,
    prometheus: PrometheusHandle,
) -> anyhow::Result<Router> {
    let mut gateway_settings = settings.gateway.clone();
    // One source of truth for what the identity service signs and the gateway expects.
    gateway_settings.auth.issuer = settings.identity.issuer.clone();
    gateway_settings.auth.audience = settings.identity.audience.clone();
    let recording_max = settings.meeting.recording_max_bytes;
    if plan.runs("meeting") && (gateway_settings.upload_body_limit_bytes as u64) < recording_max {
        tracing::warn!(
            gateway_limit = gateway_settings.upload_body_limit_bytes,
            recording_max,
            "gateway.upload_body_limit_bytes is below meeting.recording_max_bytes: the \
             gateway refuses (413) recordings the meeting service would take"
        );
    }
    let mut builder = Gateway::builder()
        .settings(gateway_settings)
        .revocations(stores.revocations.clone());
    let redis = settings.backends.redis_url.trim();
    if !redis.is_empty() {
        // GCRA in Redis: one limit across every gateway replica.
        let limiter = RedisRateLimiter::new(redis, &settings.backends.redis_prefix)
            .map_err(|e| anyhow::anyhow!("backends.redis_url: {e}"))?;
        builder = builder.rate_limiter(Arc::new(limiter));
    }
    for (name, router) in local {
        let upstream: Arc<dyn Upstream> = Arc::new(InProcess::new(router.clone()));
        builder = builder.upstream(*name, upstream);
    }
    // Every routed service's API description, local or not: they are compiled in.
    let mut documented = Vec::new();
    for route in &settings.gateway.routes {
        let name = route.upstream.as_str();
        if !documented.contains(&name) {
            documented.push(name);
            if let Some(doc) = services::openapi(name) {
                builder = builder.openapi(name, doc);
            }
        }
    }
    for indicator in registry.indicators() {
        builder = builder.health_check(indicator.name(), gateway_check(indicator.clone()));
    }
    let ops = quorum_telemetry::ops_router(registry, info, prometheus);
    builder
        .local_routes(ops)
        .build()
        .context("building the gateway")
}

/// What every service router gets in every mode: request metrics by matched route and
/// `Idempotency-Key` replay.
/// A `--role read` instance refuses other methods with 421 (Misdirected Request): the
/// gateway sends writes to the write group.
fn service_router(
    name: &'static str,
    router: Router,
    cache: Arc<dyn CacheStore>,
    role: Role,
) -> Router {
    let mut router = router.layer(quorum_web::idempotency::layer(cache));
    if role == Role::Read {
        router = router.layer(axum::middleware::from_fn(reads_only));
    }
    router.layer(axum::middleware::from_fn_with_state(
        name,
        quorum_telemetry::metrics::track,
    ))
}

async fn reads_only(req: Request<Body>, next: Next) -> Response {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(req).await;
    }
    Problem::new(
        Code::ReadOnlyInstance,
        format!(
            "this instance serves reads only (--role read); send {} to the write group",
            req.method()
        ),
    )
    .into_response()
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
    registry.register(cache_indicator(backends.cache.clone()));
    registry
}

fn cache_indicator(cache: Arc<dyn CacheStore>) -> Arc<dyn HealthIndicator> {
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
