//! Who may call a process's services when no gateway of the same process fronts them (the
//! distributed mode: `quorum serve meeting`). Such a process listens on the network, so its
//! services check every caller themselves, as the gateway does ([`quorum_gateway::Callers`]):
//! the bearer access token against the identity service's signing keys and the shared
//! revocation list, the user taken from the token, never from `x-quorum-user-id`.
//!
//! The keys come from the identity service of the same process when it runs there (its
//! router, in-process), else from `gateway.upstreams.identity` over HTTP — the same setting
//! and path (`gateway.auth.jwks_upstream`, `jwks_path`) the gateway uses.

use std::sync::Arc;

use anyhow::Context;
use quorum_auth::RevocationList;
use quorum_gateway::{AuthSettings, Callers, HttpUpstream, InProcess, Upstream, UpstreamJwks};

use crate::services::Running;
use crate::Settings;

/// What the identity service signs, which the gateway and every service expect: one source
/// of truth (`identity.issuer`, `audience`, `access_ttl_secs`), the rest of
/// `gateway.auth` as configured.
pub(crate) fn auth_settings(settings: &Settings) -> AuthSettings {
    let mut auth = settings.gateway.auth.clone();
    auth.issuer = settings.identity.issuer.clone();
    auth.audience = settings.identity.audience.clone();
    auth.max_token_lifetime_secs = settings.identity.access_ttl_secs;
    auth
}

/// The check for the services of a process without the gateway. `Plan::check` has made sure
/// the keys can be found: the identity service runs here, or `gateway.upstreams.identity` is
/// set; without either (only `quorum migrate`, which serves nobody) every request that needs
/// a caller is refused with 503.
pub(crate) fn callers(
    settings: &Settings,
    running: &[Running],
    revocations: Arc<dyn RevocationList>,
) -> anyhow::Result<Callers> {
    let auth = auth_settings(settings);
    let name = auth.jwks_upstream.as_str();
    let keys: Arc<dyn Upstream> = match running.iter().find(|s| s.name == name) {
        Some(identity) => Arc::new(InProcess::new(identity.router.clone())),
        None => match settings.gateway.upstreams.get(name) {
            Some(urls) => Arc::new(
                HttpUpstream::new(name, urls, settings.gateway.outlier)
                    .with_context(|| format!("gateway.upstreams.{name}"))?,
            ),
            // `quorum migrate` alone: no keys to be had (an empty router answers 404).
            None => Arc::new(InProcess::new(axum::Router::new())),
        },
    };
    let jwks = Arc::new(UpstreamJwks::new(keys, auth.jwks_path.clone()));
    Callers::new(&auth, jwks, revocations).context("gateway.auth")
}
