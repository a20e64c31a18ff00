//! The face a built service shows the process that hosts it, so the process assembles any
//! set of services with one loop (`apps/quorum/src/services.rs`).

use std::sync::Arc;

use quorum_telemetry::HealthIndicator;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;

/// A built service: its routes, its background work by role, and its health beyond its
/// database. Building (settings, dependencies, migrations), the broker topology and the
/// OpenAPI document stay each service's own `build`, `topology()` and `openapi()`.
pub trait Hosted: Send + Sync + 'static {
    /// The routes, state applied.
    fn routes(&self) -> axum::Router;

    /// The background work of an instance that writes (`--role write` or `all`): outbox
    /// relay, consumers, sweepers. Everything stops (draining work in flight) when
    /// `shutdown` is cancelled.
    fn background(&self, shutdown: CancellationToken) -> Vec<JoinHandle<()>>;

    /// The background work of a read-only instance (`--role read`): none, unless the
    /// service must follow what the writers change.
    fn read_only_background(&self, _shutdown: CancellationToken) -> Vec<JoinHandle<()>> {
        Vec::new()
    }

    /// Health indicators beyond the service's database (an engine, SMTP).
    fn indicators(&self) -> Vec<Arc<dyn HealthIndicator>> {
        Vec::new()
    }
}
