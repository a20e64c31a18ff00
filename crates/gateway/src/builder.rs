//! [`Gateway::builder`]: settings plus live objects in, an [`axum::Router`] out.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use axum::routing::get;
use axum::Router;
use http::{header, HeaderName, HeaderValue, Method};
use quorum_auth::RevocationList;
use quorum_web::management::Management;
use tower_http::cors::{AllowOrigin, CorsLayer};
use utoipa::openapi::OpenApi;

use crate::auth::Authenticator;
use crate::health::{self, HealthCheck, HealthState};
use crate::jwks::{JwksSource, UpstreamJwks};
use crate::openapi;
use crate::proxy::{self, CompiledRoute, ProxyState};
use crate::public::PublicRoutes;
use crate::rate_limit::{MemoryRateLimiter, Quota, RateLimiter};
use crate::settings::GatewaySettings;
use crate::uploads::Uploads;
use crate::upstream::Upstream;

mod remote;

/// Why the gateway could not be built; each names the offending setting.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("gateway.routes: route `{prefix}` names unknown upstream `{upstream}`")]
    UnknownUpstream { prefix: String, upstream: String },
    #[error("gateway.routes: prefix `{0}` must start with `/`")]
    InvalidPrefix(String),
    #[error("gateway.auth.jwks_upstream: unknown upstream `{0}` (and no JwksSource given)")]
    NoJwksSource(String),
    #[error("gateway.auth.public_routes: invalid method `{0}`")]
    InvalidMethod(String),
    #[error("gateway.upload_routes: invalid method or path `{0}` (paths start with `/`)")]
    InvalidUploadRoute(String),
    #[error("gateway.cors.allowed_origins: invalid origin `{0}`")]
    InvalidOrigin(String),
    #[error("a revocation list is required (GatewayBuilder::revocations)")]
    NoRevocationList,
    #[error("gateway.upstreams.{key}: {reason}")]
    InvalidUpstreamUrl { key: String, reason: String },
    #[error("gateway.upstreams.{0}: no route uses this upstream")]
    UnusedUpstream(String),
    #[error("gateway.upstreams.{0}: a read group needs its upstream in gateway.upstreams too")]
    ReadWithoutBase(String),
}

/// Entry point: `Gateway::builder()`.
pub struct Gateway;

impl Gateway {
    pub fn builder() -> GatewayBuilder {
        GatewayBuilder::default()
    }
}

/// Collects the gateway's settings and collaborators; [`GatewayBuilder::build`] checks them.
#[derive(Default)]
pub struct GatewayBuilder {
    settings: GatewaySettings,
    upstreams: HashMap<String, Arc<dyn Upstream>>,
    revocations: Option<Arc<dyn RevocationList>>,
    jwks: Option<Arc<dyn JwksSource>>,
    limiter: Option<Arc<dyn RateLimiter>>,
    docs: Vec<(String, OpenApi)>,
    health: Vec<(String, Arc<dyn HealthCheck>)>,
    local: Option<Router>,
    management: Management,
}

impl GatewayBuilder {
    /// Routes, auth, rate limits, CORS, limits and timeouts (default: [`GatewaySettings::default`]).
    pub fn settings(mut self, settings: GatewaySettings) -> Self {
        self.settings = settings;
        self
    }
    /// An upstream, by the name routes refer to (`identity`, `meeting`, …). Wins over
    /// `gateway.upstreams`, which supplies HTTP upstreams for the names not given here.
    pub fn upstream(mut self, name: impl Into<String>, upstream: Arc<dyn Upstream>) -> Self {
        self.upstreams.insert(name.into(), upstream);
        self
    }
    /// Revoked token ids, consulted on every authenticated request. Required.
    pub fn revocations(mut self, list: Arc<dyn RevocationList>) -> Self {
        self.revocations = Some(list);
        self
    }
    /// Where the JWKS comes from. Default: `GET {auth.jwks_path}` on `{auth.jwks_upstream}`.
    pub fn jwks_source(mut self, source: Arc<dyn JwksSource>) -> Self {
        self.jwks = Some(source);
        self
    }
    /// The rate-limit store. Default: in-process GCRA ([`MemoryRateLimiter`]).
    pub fn rate_limiter(mut self, limiter: Arc<dyn RateLimiter>) -> Self {
        self.limiter = Some(limiter);
        self
    }
    /// A service's OpenAPI document, merged into `/api/openapi.json`.
    pub fn openapi(mut self, service: impl Into<String>, doc: OpenApi) -> Self {
        self.docs.push((service.into(), doc));
        self
    }
    /// A component of `/actuator/health` (e.g. [`crate::UpstreamHealth`] per upstream). Each
    /// upstream from `gateway.upstreams` adds its own component (its name, and `<name>Read`
    /// for a read group) unless one of that name is given here.
    pub fn health_check(
        mut self,
        component: impl Into<String>,
        check: Arc<dyn HealthCheck>,
    ) -> Self {
        self.health.push((component.into(), check));
        self
    }
    /// Who may read the components of `/actuator/health` (default: local clients only);
    /// everyone else gets the overall status.
    pub fn management(mut self, management: Management) -> Self {
        self.management = management;
        self
    }
    /// Extra gateway-local routes (web UI, `/actuator/prometheus`, `/actuator/info`…). They get
    /// request ids, CORS and the access log but no token check; paths must not clash with the
    /// gateway's own (`/api/docs`, `/api/openapi.json`, `/actuator/health*`).
    pub fn local_routes(mut self, router: Router) -> Self {
        self.local = Some(match self.local.take() {
            Some(existing) => existing.merge(router),
            None => router,
        });
        self
    }

    /// Checks the configuration and assembles the router. Serve it with
    /// `into_make_service_with_connect_info::<SocketAddr>()` so anonymous callers are
    /// rate-limited by address.
    pub fn build(self) -> Result<Router, BuildError> {
        let settings = self.settings;
        let revocations = self.revocations.ok_or(BuildError::NoRevocationList)?;
        let remote = remote::http_upstreams(&settings, &self.upstreams)?;
        let mut upstreams = self.upstreams;
        upstreams.extend(remote.upstreams);
        let mut checks = self.health;
        for (name, check) in remote.checks {
            if !checks.iter().any(|(existing, _)| *existing == name) {
                checks.push((name, check));
            }
        }
        let jwks = match self.jwks {
            Some(source) => source,
            None => {
                let name = &settings.auth.jwks_upstream;
                let upstream = upstreams
                    .get(name)
                    .ok_or_else(|| BuildError::NoJwksSource(name.clone()))?;
                Arc::new(UpstreamJwks::new(
                    Arc::clone(upstream),
                    settings.auth.jwks_path.clone(),
                ))
            }
        };

        let mut routes = Vec::with_capacity(settings.routes.len());
        for route in &settings.routes {
            if !route.prefix.starts_with('/') {
                return Err(BuildError::InvalidPrefix(route.prefix.clone()));
            }
            let upstream =
                upstreams
                    .get(&route.upstream)
                    .ok_or_else(|| BuildError::UnknownUpstream {
                        prefix: route.prefix.clone(),
                        upstream: route.upstream.clone(),
                    })?;
            let group = route.group_name();
            routes.push(CompiledRoute {
                prefix: route.prefix.as_str().into(),
                upstream_name: route.upstream.as_str().into(),
                upstream: Arc::clone(upstream),
                group: group.into(),
                quotas: Quota::of_group(settings.rate_limit.limits_for(group)),
                timeout: settings.timeout(route),
                body_limit: settings.body_limit(route),
                policy: settings.call_policy(route),
            });
        }
        routes.sort_by_key(|r| std::cmp::Reverse(r.prefix.len()));

        let public = PublicRoutes::new(&settings.auth.public_routes)?;

        let limiter = settings.rate_limit.enabled.then(|| {
            self.limiter
                .unwrap_or_else(|| Arc::new(MemoryRateLimiter::new()) as Arc<dyn RateLimiter>)
        });

        let proxy_state = Arc::new(ProxyState {
            routes,
            uploads: Uploads::new(&settings)?,
            public,
            auth: Authenticator::new(jwks, revocations, &settings.auth),
            limiter,
            trusted_proxy_hops: settings.trusted_proxy_hops,
        });
        let health_state = Arc::new(HealthState {
            checks,
            timeout: Duration::from_millis(settings.health_timeout_ms),
            management: self.management,
        });

        let mut router: Router = Router::new()
            .merge(openapi::routes(openapi::merge(
                self.docs,
                &openapi::Enforced {
                    public: &proxy_state.public,
                    rate_limited: proxy_state.limiter.is_some(),
                },
            )))
            .merge(
                Router::new()
                    .route("/actuator/health", get(health::system_health))
                    .with_state(health_state),
            )
            .route("/actuator/health/liveness", get(health::liveness));
        if let Some(local) = self.local {
            router = router.merge(local);
        }
        let mut router =
            router.fallback_service(Router::new().fallback(proxy::proxy).with_state(proxy_state));
        if let Some(cors) = cors_layer(&settings.cors.allowed_origins)? {
            router = router.layer(cors);
        }
        Ok(router
            .layer(axum::middleware::from_fn(crate::headers::security_headers))
            .layer(axum::middleware::from_fn(crate::observe::observe)))
    }
}

fn cors_layer(origins: &[String]) -> Result<Option<CorsLayer>, BuildError> {
    if origins.is_empty() {
        return Ok(None);
    }
    let allow_origin = if origins.iter().any(|o| o == "*") {
        AllowOrigin::any()
    } else {
        let list = origins
            .iter()
            .map(|o| HeaderValue::from_str(o).map_err(|_| BuildError::InvalidOrigin(o.clone())))
            .collect::<Result<Vec<_>, _>>()?;
        AllowOrigin::list(list)
    };
    Ok(Some(
        CorsLayer::new()
            .allow_origin(allow_origin)
            .allow_methods([
                Method::GET,
                Method::POST,
                Method::PUT,
                Method::PATCH,
                Method::DELETE,
                Method::OPTIONS,
            ])
            .allow_headers([
                header::AUTHORIZATION,
                header::CONTENT_TYPE,
                header::ACCEPT,
                HeaderName::from_static("idempotency-key"),
                HeaderName::from_static("x-request-id"),
                HeaderName::from_static("last-event-id"),
            ])
            .expose_headers([
                HeaderName::from_static("x-request-id"),
                header::RETRY_AFTER,
                header::LOCATION,
                header::WWW_AUTHENTICATE,
                HeaderName::from_static("ratelimit-limit"),
                HeaderName::from_static("ratelimit-remaining"),
                HeaderName::from_static("ratelimit-reset"),
            ])
            .max_age(Duration::from_secs(600)),
    ))
}
