//! A service's own check of its callers, for a service process of the distributed mode.
//!
//! In the all-in-one process the gateway calls the services' routers in-process: nothing else
//! reaches them, and the user it verified travels in `x-quorum-user-id` ([`USER_HEADER`]). A
//! service process of the distributed mode listens on the network instead, where anyone who
//! reaches its port could send that header. [`Callers::layer`] makes such a process decide
//! who the caller is itself, exactly as the gateway does: the same public routes
//! (`gateway.auth.public_routes`), the bearer access token verified against the identity
//! service's JWKS with the same [`Authenticator`] (keys cached and refreshed, verified tokens
//! remembered until they expire, revocation asked on every request) and the same problems
//! (`401 invalid_token`, `503 auth_unavailable`). A `x-quorum-user-id` that arrives is always
//! dropped; the header the service reads is the token's subject. An event stream ends with
//! its token, as through the gateway (`crate::streams`).
//!
//! The gateway forwards the client's `Authorization` header, so a request through the gateway
//! is verified twice (the second check is a lookup of the remembered token and the
//! revocation list); a request sent to the service directly is answered only for a valid
//! token, as the gateway would answer it.

use std::sync::Arc;

use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::Response;
use axum::Router;
use http::HeaderValue;
use quorum_auth::RevocationList;
use quorum_web::USER_HEADER;

use crate::auth::{AuthFailure, Authenticator};
use crate::builder::BuildError;
use crate::jwks::JwksSource;
use crate::problems;
use crate::public::PublicRoutes;
use crate::settings::AuthSettings;
use crate::streams;

/// Who may call a service router, and as whom; see the module docs.
#[derive(Clone)]
pub struct Callers(Arc<Inner>);

struct Inner {
    auth: Authenticator,
    public: PublicRoutes,
}

impl Callers {
    /// `settings` as the gateway's (issuer, audience, lifetimes, public routes); `jwks` where
    /// the identity service's keys come from; `revocations` the shared revocation list.
    pub fn new(
        settings: &AuthSettings,
        jwks: Arc<dyn JwksSource>,
        revocations: Arc<dyn RevocationList>,
    ) -> Result<Self, BuildError> {
        Ok(Self(Arc::new(Inner {
            auth: Authenticator::new(jwks, revocations, settings),
            public: PublicRoutes::new(&settings.public_routes)?,
        })))
    }

    /// `router` with every request checked first (see the module docs). Layers added to the
    /// result run before the check; those already on `router` run after it, with the caller
    /// known.
    pub fn layer(&self, router: Router) -> Router {
        router.layer(axum::middleware::from_fn_with_state(self.clone(), check))
    }
}

async fn check(State(callers): State<Callers>, mut req: Request, next: Next) -> Response {
    // Only a verified token says who the caller is.
    req.headers_mut().remove(USER_HEADER);
    let inner = &callers.0;
    if inner.public.contains(req.method(), req.uri().path()) {
        return next.run(req).await;
    }
    match inner.auth.authenticate(req.headers()).await {
        Ok(claims) => {
            // A hyphenated UUID is always a valid header value.
            if let Ok(value) = HeaderValue::from_str(&claims.sub.to_string()) {
                req.headers_mut().insert(USER_HEADER, value);
            }
            let res = next.run(req).await;
            let (revocations, recheck) = inner.auth.revocations();
            streams::bound_to_token(res, claims, revocations, recheck)
        }
        Err(AuthFailure::Invalid(reason)) => {
            tracing::debug!(reason, "caller refused by the service");
            problems::unauthorized(reason)
        }
        Err(AuthFailure::Unavailable) => problems::auth_unavailable(),
    }
}
