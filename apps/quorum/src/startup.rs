//! The one start-up path: [`Application::build`] → [`Application::port`] →
//! [`Application::run_until_stopped`].

use std::future::{Future, IntoFuture};
use std::net::SocketAddr;
use std::time::{Duration, Instant};

use anyhow::Context;
use axum::Router;
use quorum_store::Db;
use quorum_telemetry::{BuildInfo, HealthRegistry};
use tokio::net::TcpListener;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

use crate::backends::{shared_broker, shared_stores};
use crate::callers::callers;
use crate::front::{body_limit, gateway, management, management_router, service_router};
use crate::health::{cache_indicator, health_registry};
use crate::plan::Plan;
use crate::services::{self, Backends};
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
    /// `management.port`: the listener of the operations endpoints' details, and its port.
    management: Option<(TcpListener, u16)>,
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
    /// services' routers directly, each request's caller verified from its access token
    /// (`callers.rs`), never taken from `x-quorum-user-id`.
    pub async fn build_plan(settings: Settings, plan: Plan) -> anyhow::Result<Self> {
        let prometheus = quorum_telemetry::metrics::install();
        let data = settings.data.dir.clone();
        crate::disk::secure(&settings)?;
        settings.backends.validate().map_err(anyhow::Error::msg)?;
        settings.web.validate().map_err(anyhow::Error::msg)?;
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

        // Without the gateway in this process the services are reached over the network:
        // they check their callers themselves.
        let callers = if plan.gateway() || running.is_empty() {
            None
        } else {
            Some(callers(&settings, &running, stores.revocations.clone())?)
        };
        let mut service_routers = Vec::new();
        for s in &running {
            let (db, role) = (s.db.clone(), plan.role());
            let router = service_router(s.name, s.router.clone(), db, role, callers.as_ref());
            let router = body_limit(s.name, router, &settings)?;
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
            let gateway = gateway(
                &settings,
                &plan,
                &stores,
                &service_routers,
                registry,
                info,
                prometheus,
            )?;
            if settings.web.enabled {
                // The web app: pages at `/`, calling the API through this gateway.
                quorum_webapp::WebApp::new(gateway, stores.cache.clone(), settings.web.clone())
                    .wrap()
            } else {
                gateway
            }
        } else {
            // Services only: their routers side by side, and this process's own actuator
            // (liveness and health included: its probes ask it, not a gateway).
            let mut router = quorum_telemetry::actuator_router(
                registry,
                info,
                prometheus,
                management(&settings),
            );
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
        let management = match settings.management.port {
            Some(port) => {
                let addr = format!("{}:{port}", settings.server.host);
                let listener = TcpListener::bind(&addr)
                    .await
                    .with_context(|| format!("management.port: cannot listen on {addr}"))?;
                let port = listener.local_addr()?.port();
                Some((listener, port))
            }
            None => None,
        };
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
            management,
        })
    }

    /// Creates or upgrades the databases of the plan's services, then returns. Building the application runs every
    /// migration; it is then stopped the normal way, so background work that started drains
    /// before the databases close.
    pub async fn migrate(settings: &Settings, plan: Plan) -> anyhow::Result<()> {
        let mut settings = settings.clone();
        settings.server.port = 0;
        settings.server.host = "127.0.0.1".into();
        settings.management.port = None;
        Self::build_plan(settings, plan.for_migration())
            .await?
            .run_until_stopped(std::future::ready(()))
            .await
    }

    /// A service's own router, without the gateway in front. In a process with the gateway
    /// it trusts `x-quorum-user-id` (the gateway's in-process calls set it): for benchmarks
    /// and diagnostics that compare the gateway with a direct call; never expose it on a
    /// network. In a process without the gateway it verifies its callers (`callers.rs`).
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

    /// The port of the management listener (`management.port`), when there is one.
    pub fn management_port(&self) -> Option<u16> {
        self.management.as_ref().map(|(_, port)| *port)
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
        let ops = self.management.map(|(listener, _)| {
            let router = management_router(self.router.clone());
            let stop = self.stop.clone();
            tokio::spawn(async move {
                let served = axum::serve(
                    listener,
                    router.into_make_service_with_connect_info::<SocketAddr>(),
                )
                .with_graceful_shutdown(async move { stop.cancelled().await });
                if let Err(e) = served.await {
                    tracing::error!(error = %e, "the management listener failed");
                }
            })
        });
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
        if let Some(ops) = ops {
            if tokio::time::timeout(self.grace, ops).await.is_err() {
                tracing::warn!("the management listener did not stop within the grace period");
            }
        }
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
