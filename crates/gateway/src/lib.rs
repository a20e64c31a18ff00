//! The Quorum API gateway: the single entry point in front of the services.
//!
//! [`Gateway::builder`] takes [`GatewaySettings`] and the live collaborators (upstreams, a
//! revocation list, optionally a JWKS source, a rate-limit store, OpenAPI documents and health
//! checks) and returns an [`axum::Router`] that:
//!
//! 1. gives every request an `x-request-id` and writes one access-log line and the
//!    `gateway_requests_total` / `gateway_request_duration_seconds` metrics (`observe.rs`);
//! 2. answers CORS preflights;
//! 3. serves its own routes: `/api/openapi.json` (the services' documents merged) and the
//!    vendored Swagger UI at `/api/docs` (`openapi.rs`), `/actuator/health` for the whole
//!    system (`health.rs`);
//! 4. proxies everything else by longest path prefix (`proxy.rs`): verifies the bearer token
//!    locally against the cached JWKS (`jwks.rs`) and the revocation list (`auth.rs`; an
//!    event stream is cut when its token expires or is revoked, `streams.rs`), sets
//!    `x-quorum-user-id`, applies the per-caller GCRA quotas of the route group
//!    (`rate_limit.rs`), the body limit, the upstream timeout and retry policy (larger for
//!    uploads: `uploads.rs`), and calls the [`Upstream`] with the body streaming through
//!    (`upstream.rs`): an in-process router ([`InProcess`], the all-in-one mode) or, in the
//!    distributed mode, an [`HttpUpstream`] over a service's instances with least-request
//!    balancing, retries and outlier ejection (`upstream/remote.rs`, `upstream/pool.rs`),
//!    optionally split into reads and writes ([`ReadWrite`]). The builder makes those from
//!    `gateway.upstreams` for every upstream not given in code (`builder/remote.rs`).
//!
//! A service process of the distributed mode, which no gateway fronts in-process, checks its
//! callers itself with [`Callers`] (`callers.rs`): the same public routes (`public.rs`), token
//! verification and problems, the user taken from the token and never from a header.
//!
//! Every error it produces itself is `application/problem+json` (`problems.rs`); every
//! answer carries the security headers of `headers.rs` (nosniff, no framing, no referrer,
//! `Cache-Control: no-store` unless the answer sets its own). The components of
//! `/actuator/health` are shown only to the management policy's callers
//! ([`quorum_web::management::Management`]); others get the status.
//!
//! ```ignore
//! let app = Gateway::builder()
//!     .settings(settings.gateway.clone())
//!     .upstream("identity", Arc::new(InProcess::new(identity_router)))
//!     .revocations(revocations)
//!     .openapi("identity", identity_openapi)
//!     .health_check("identity", Arc::new(UpstreamHealth::new(identity.clone())))
//!     .build()?;
//! axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>()).await?;
//! ```
#![forbid(unsafe_code)]

mod auth;
mod builder;
mod callers;
mod headers;
mod health;
mod jwks;
mod observe;
mod openapi;
mod problems;
mod proxy;
mod public;
mod rate_limit;
mod settings;
mod streams;
mod uploads;
mod upstream;

pub use builder::{BuildError, Gateway, GatewayBuilder};
pub use callers::Callers;
pub use health::{health_check_fn, ComponentHealth, HealthCheck, HealthStatus, UpstreamHealth};
pub use jwks::{JwksError, JwksSource, UpstreamJwks};
pub use rate_limit::{
    MemoryRateLimiter, Quota, RateLimitDecision, RateLimitError, RateLimiter, RedisRateLimiter,
};
pub use settings::{
    default_public_routes, default_routes, default_upload_routes, AuthSettings, CorsSettings,
    GatewaySettings, GroupLimits, OutlierSettings, PublicRoute, RateLimitSettings, RetrySettings,
    RouteSettings, UploadRetrySettings, UploadRoute, UpstreamUrls, DEFAULT_BODY_LIMIT_BYTES,
    DEFAULT_TIMEOUT_MS, DEFAULT_UPLOAD_BODY_LIMIT_BYTES, DEFAULT_UPLOAD_TIMEOUT_SECS,
};
pub use uploads::service_body_limit;
pub use upstream::{
    CallPolicy, HttpUpstream, InProcess, InvalidUpstreamUrl, ReadWrite, Upstream, UpstreamError,
};
