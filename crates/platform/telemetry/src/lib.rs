//! Observability for Quorum processes: logs, metrics and health endpoints.
//!
//! - [`tracing_init`]: human or JSON logs, filtered by `RUST_LOG`-style directives;
//! - [`metrics`]: the Prometheus recorder and an HTTP middleware that labels requests by
//!   matched route (never by raw path, so ids do not explode the label set);
//! - [`health`]: health indicators and the `/actuator/*` router (health with components,
//!   liveness that depends on nothing external, readiness that checks dependencies,
//!   prometheus, info).

pub mod health;
pub mod metrics;
mod tracing_init;

pub use health::{
    actuator_router, ops_router, BuildInfo, Health, HealthIndicator, HealthRegistry, Status,
};
pub use tracing_init::init_tracing;
