//! The identity service (User Service): accounts, credentials, sessions and the keys that
//! sign access tokens.
//!
//! - Registration hashes passwords with Argon2id and publishes `user.created`; profile edits
//!   and deletion publish `user.updated` / `user.deleted` — all through the transactional
//!   outbox on the `user.events` exchange, in the same transaction as the change.
//! - Login returns an EdDSA access token (`quorum_auth`) naming its session (`sid`, the
//!   refresh-token family) and an opaque refresh token. Refresh tokens rotate within a
//!   family; re-using a spent one revokes the family and its access tokens. Logout ends the
//!   session the same way (`revoke.rs`: the shared [`RevocationList`], `revoked_tokens`,
//!   `auth.token_revoked`).
//! - Password attempts are slowed per account (`throttle.rs`), new passwords must be hard to
//!   guess (`strength.rs`, zxcvbn), addresses and passwords are NFKC-normalised
//!   (`domain.rs`, `password.rs`), and a new e-mail address takes effect once the code sent
//!   to it is entered when the process can send e-mail (`email_change.rs`).
//! - Signing keys live in the service's database, are created on first start and rotated by
//!   a background task (published for a lead time before they sign); the JWKS is served at
//!   `/.well-known/jwks.json`.
//!
//! The process assembles it like every service: [`build`], then [`Identity::router`],
//! [`Identity::topology`], [`Identity::openapi`] and [`Identity::spawn_background`].
//!
//! Layout: `routes/` (one file per group, and the OpenAPI document), `sessions.rs` (token
//! families), `revoke.rs` (ending sessions and tokens), `throttle.rs`, `strength.rs`,
//! `email_change.rs`, `app.rs` (state, cache-aside profile reads), `domain.rs` (validated
//! inputs), `repository/` (SQL), `migrations.rs`, `keys.rs` (key storage and rotation),
//! `password.rs` (Argon2id), `events.rs`, `views.rs` (JSON bodies), `error.rs`,
//! `settings.rs`.

#![forbid(unsafe_code)]

use std::sync::Arc;

use quorum_auth::{KeyRing, RevocationList};
use quorum_bus::{Broker, Outbox, Topology};
use quorum_cache::{specs, Cache, CacheStore};
use quorum_contracts::exchanges;
use quorum_store::Db;
use tokio_util::sync::CancellationToken;

mod app;
mod credentials;
mod domain;
mod email_change;
mod error;
mod events;
mod keys;
mod migrations;
mod password;
mod repository;
mod revoke;
mod routes;
mod sessions;
mod settings;
mod strength;
mod throttle;
mod views;

pub use error::BuildError;
pub use settings::Settings;

/// What the service runs on.
pub struct Deps {
    pub db: Db,
    pub broker: Arc<dyn Broker>,
    pub cache: Arc<dyn CacheStore>,
    pub revocations: Arc<dyn RevocationList>,
}

/// The assembled service.
pub struct Identity {
    state: app::AppState,
    broker: Arc<dyn Broker>,
}

/// Migrates the database, loads (or creates) the signing keys and assembles the service.
/// Nothing runs until [`Identity::router`] is served and [`Identity::spawn_background`] is
/// called.
pub async fn build(settings: Settings, deps: Deps) -> Result<Identity, BuildError> {
    quorum_service::prepare(
        &deps.db,
        "identity",
        migrations::MIGRATIONS,
        quorum_service::Directory::None,
    )
    .await
    .map_err(BuildError::Migrate)?;
    let ring = keys::load_or_create(&deps.db, &settings).await?;
    let restored = revoke::restore(&deps.db, deps.revocations.as_ref())
        .await
        .map_err(BuildError::Startup)?;
    if restored > 0 {
        tracing::info!(restored, "revoked access tokens restored");
    }
    let hasher = password::Hasher::new(&settings).map_err(BuildError::Settings)?;
    let state = app::AppState {
        outbox: Outbox::new(deps.db.clone()),
        db: deps.db,
        profiles: Cache::new(specs::USER_PROFILE, deps.cache),
        ring,
        revocations: deps.revocations,
        hasher,
        settings: Arc::new(settings),
    };
    Ok(Identity {
        state,
        broker: deps.broker,
    })
}

impl Identity {
    /// Every route of the service, state applied.
    pub fn router(&self) -> axum::Router {
        routes::api()
            .with_state(self.state.clone())
            .split_for_parts()
            .0
    }

    /// The exchange it publishes to (`user.events`); it consumes nothing.
    pub fn topology() -> Topology {
        Topology::new().exchange(exchanges::USER)
    }

    /// The OpenAPI document of every route.
    pub fn openapi() -> utoipa::openapi::OpenApi {
        routes::api().into_openapi()
    }

    /// The outbox relay and the key-rotation task; both stop when `shutdown` is cancelled.
    pub fn spawn_background(
        &self,
        broker: Arc<dyn Broker>,
        shutdown: CancellationToken,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        vec![
            self.state.outbox.spawn_relay(broker, shutdown.clone()),
            keys::spawn_rotation(
                self.state.db.clone(),
                self.state.ring.clone(),
                self.state.settings.clone(),
                shutdown,
            ),
        ]
    }

    /// For an instance that runs no background work (`--role read`): reloads the signing
    /// keys the rotating instances store, so the JWKS it serves follows their rotation. Stops
    /// when `shutdown` is cancelled.
    pub fn spawn_key_refresh(&self, shutdown: CancellationToken) -> tokio::task::JoinHandle<()> {
        keys::spawn_refresh(
            self.state.db.clone(),
            self.state.ring.clone(),
            self.state.settings.clone(),
            shutdown,
        )
    }

    /// The published signing keys.
    pub fn jwks(&self) -> quorum_auth::Jwks {
        self.state.ring.jwks()
    }

    /// The key ring (for an in-process gateway that verifies tokens directly).
    pub fn key_ring(&self) -> Arc<KeyRing> {
        self.state.ring.clone()
    }
}

impl quorum_service::Hosted for Identity {
    fn routes(&self) -> axum::Router {
        self.router()
    }

    fn background(&self, shutdown: CancellationToken) -> Vec<tokio::task::JoinHandle<()>> {
        self.spawn_background(self.broker.clone(), shutdown)
    }

    /// Reads only, but the JWKS it serves must follow the writers' key rotation.
    fn read_only_background(
        &self,
        shutdown: CancellationToken,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        vec![self.spawn_key_refresh(shutdown)]
    }
}
