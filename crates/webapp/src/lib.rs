//! The web app: server-rendered pages for the people who hold meetings, a
//! backend-for-frontend in front of the public API.
//!
//! It never reads a service's database. Every page is built from calls to the public API,
//! made in-process through the gateway's router ([`api::Api`]) — in the all-in-one process
//! and in a gateway process of the distributed mode alike, so the gateway's checks (token
//! verification, revocation, rate limits) apply to the web app exactly as to any client.
//!
//! - `session`: the opaque session cookie (HttpOnly, SameSite=Lax, Secure behind TLS); the
//!   tokens stay on the server (in the process's cache store: in-process, or Redis shared
//!   by every gateway replica); the access token is refreshed before it expires, invisibly;
//! - `csrf`: every state change carries a token bound to a cookie, and a cross-site form
//!   post is refused from its `Origin`/`Sec-Fetch-Site`;
//! - `i18n`: the message catalogues (`locales/en.toml`, `locales/ko.toml`), chosen from the
//!   profile, a `lang` cookie or `Accept-Language`;
//! - `assets`: the stylesheet and two small script modules (live updates, recording),
//!   embedded, served under a content hash with a year-long cache;
//! - `pages/`: the pages (maud templates: user text is always escaped): sign-in, the
//!   dashboard, scheduling a meeting and its page from start to minutes;
//! - [`WebApp::wrap`]: puts the web app in front of the gateway's router: `/api/…`,
//!   `/actuator/…` and `/.well-known/…` go to the gateway, everything else is a page (or a
//!   real 404 page).

#![forbid(unsafe_code)]

use std::sync::Arc;

use axum::body::Body;
use axum::extract::Request;
use axum::http::{header, HeaderValue};
use axum::middleware::Next;
use axum::response::Response;
use axum::routing::{get, post};
use axum::Router;
use quorum_cache::CacheStore;
use tower::ServiceExt as _;

mod api;
mod assets;
mod csrf;
mod i18n;
mod pages;
mod session;
mod settings;
mod zone;

pub use settings::WebSettings;

/// What every page handler shares.
#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) api: api::Api,
    pub(crate) sessions: session::Sessions,
    pub(crate) settings: Arc<WebSettings>,
    pub(crate) catalogues: Arc<i18n::Catalogues>,
}

/// The web app, ready to be put in front of a gateway router.
pub struct WebApp {
    state: AppState,
}

/// Paths that belong to the gateway (the API and the operations endpoints), not to pages.
fn is_gateway_path(path: &str) -> bool {
    ["/api/", "/actuator/", "/.well-known/"]
        .iter()
        .any(|prefix| path.starts_with(prefix))
        || path == "/api"
        || path == "/actuator"
}

impl WebApp {
    /// The web app over `gateway` (every page's API calls go through it) with sessions kept in
    /// `store`.
    pub fn new(gateway: Router, store: Arc<dyn CacheStore>, settings: WebSettings) -> Self {
        Self {
            state: AppState {
                api: api::Api::new(gateway),
                sessions: session::Sessions::new(store, settings.session_ttl()),
                settings: Arc::new(settings),
                catalogues: Arc::new(i18n::Catalogues::load()),
            },
        }
    }

    /// The process's router: the pages, with the gateway behind them for its own paths.
    pub fn wrap(self) -> Router {
        let gateway = self.state.api.router();
        let pages = Router::new()
            .route("/", get(pages::dashboard::page))
            .route(
                "/login",
                get(pages::auth::login_page).post(pages::auth::login),
            )
            .route(
                "/register",
                get(pages::auth::register_page).post(pages::auth::register),
            )
            .route("/logout", post(pages::auth::logout))
            .route("/language", post(pages::auth::language))
            .route("/meetings/new", get(pages::meetings::new_page))
            .route("/people", get(pages::meetings::people))
            .route("/meetings", post(pages::meetings::create))
            .route("/meetings/{id}", get(pages::meetings::show))
            .route(
                "/meetings/{id}/edit",
                get(pages::meetings::edit_page).post(pages::meetings::edit),
            )
            .route("/meetings/{id}/start", post(pages::meetings::start))
            .route("/meetings/{id}/cancel", post(pages::meetings::cancel))
            .route("/meetings/{id}/delete", post(pages::meetings::delete))
            .route("/meetings/{id}/notes", post(pages::meetings::notes))
            .route("/meetings/{id}/end", post(pages::meetings::end))
            .route("/meetings/{id}/share", post(pages::minutes::share))
            .route(
                "/meetings/{id}/follow-up/{file}",
                get(pages::minutes::ics).post(pages::minutes::schedule_follow_up),
            )
            .route(
                "/meetings/{id}/share/{user}/revoke",
                post(pages::minutes::revoke),
            )
            .route(
                "/meetings/{id}/sections/{index}",
                post(pages::minutes::correct),
            )
            .route(
                "/meetings/{id}/sections/{index}/verify",
                post(pages::minutes::verify),
            )
            .route("/todos", get(pages::todos::list))
            .route(
                "/todos/{id}",
                get(pages::todos::one).post(pages::todos::edit),
            )
            .route("/todos/{id}/status", post(pages::todos::set_status))
            .route("/todos/{id}/delete", post(pages::todos::delete))
            .route("/notifications", get(pages::notifications::list))
            .route("/notifications/{id}/read", post(pages::notifications::read))
            .route(
                "/notifications/preferences",
                get(pages::notifications::preferences).post(pages::notifications::save_preferences),
            )
            .route(
                "/notifications/read-all",
                post(pages::notifications::read_all),
            )
            .route("/settings", get(pages::settings::page))
            .route("/settings/profile", post(pages::settings::profile))
            .route("/settings/password", post(pages::settings::password))
            .route(
                "/settings/sign-out-everywhere",
                post(pages::settings::everywhere),
            )
            .route("/live", get(pages::live::notifications))
            .route("/live/unread", get(pages::live::unread))
            .route("/meetings/{id}/progress", get(pages::live::progress))
            .route("/meetings/{id}/recording", post(pages::live::upload))
            .route(
                "/meetings/{id}/recordings/{recording}/audio",
                get(pages::live::audio),
            )
            .route(assets::ROUTE, get(assets::serve))
            .fallback(pages::errors::not_found)
            .layer(axum::middleware::from_fn_with_state(
                self.state.clone(),
                csrf::protect,
            ))
            .layer(axum::middleware::from_fn(security_headers))
            .with_state(self.state);
        Router::new().fallback_service(tower::service_fn(move |req: Request| {
            let route = if is_gateway_path(req.uri().path()) {
                gateway.clone()
            } else {
                pages.clone()
            };
            async move { route.oneshot(req).await }
        }))
    }
}

/// Headers every page carries: a Content-Security-Policy without `unsafe-inline` (the pages
/// load nothing from another host), no framing, no MIME sniffing, no referrer to other sites.
async fn security_headers(req: Request<Body>, next: Next) -> Response {
    let mut res = next.run(req).await;
    let headers = res.headers_mut();
    let fixed = [
        (
            header::CONTENT_SECURITY_POLICY,
            "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
             media-src 'self' blob:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
             form-action 'self'; frame-ancestors 'none'",
        ),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::REFERRER_POLICY, "same-origin"),
    ];
    for (name, value) in fixed {
        headers.insert(name, HeaderValue::from_static(value));
    }
    res
}

#[cfg(test)]
mod tests {
    use super::is_gateway_path;

    #[test]
    fn api_and_operations_paths_go_to_the_gateway_and_the_rest_are_pages() {
        for path in [
            "/api/meetings",
            "/actuator/health",
            "/.well-known/jwks.json",
            "/api",
        ] {
            assert!(is_gateway_path(path), "{path}");
        }
        for path in ["/", "/login", "/apiary", "/static/app.css", "/nothing-here"] {
            assert!(!is_gateway_path(path), "{path}");
        }
    }
}
