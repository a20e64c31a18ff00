//! The meeting service: scheduling meetings, their participants, agenda and notes, and the
//! meeting status machine (`SCHEDULED → IN_PROGRESS → ENDED → MINUTES_READY`, or
//! `CANCELLED`). Ending a meeting publishes `meeting.ended`, which starts the minutes
//! pipeline in the transcript service; the meeting becomes MINUTES_READY when the AI
//! service's `ai.analysis.completed` arrives (the last part of the minutes), and follows its
//! todos' progress (`pipeline.rs`).
//!
//! The process assembles it like every service: [`build`] (runs migrations), then
//! [`Meeting::router`], [`Meeting::topology`], [`Meeting::openapi`] and
//! [`Meeting::spawn_background`] (outbox relay and consumers).
//!
//! Layout:
//! - `domain/`: typed ids, validated inputs, the status machine (pure, unit-tested);
//! - `routes/`: HTTP handlers, one file per group, and the OpenAPI document;
//! - `recording.rs`: streaming an uploaded recording to disk (limit, hash, format sniffing,
//!   nothing left behind on failure); `quota.rs`: how long a recording may be and how much
//!   audio one user may upload a day;
//! - `app.rs`: state, cache-aside reads, authorization of writes;
//! - `repository/`: SQL (portable between SQLite and PostgreSQL); `migrations.rs`: schema
//!   and the seeded templates;
//! - `directory.rs`: the `user.*` consumer that keeps the local participant directory;
//! - `events.rs`: events written through the transactional outbox;
//! - `views.rs`: JSON bodies; `error.rs`: the `ApiError` problem mapping and [`BuildError`];
//!   `settings.rs`: [`Settings`].
//!
//! Who may do what: participants see a meeting (others get 404, so existence is not
//! revealed); only the owner edits, starts, ends or cancels it (403 for a participant);
//! the owner and participants write notes while it is SCHEDULED or IN_PROGRESS, and upload
//! recordings unless it was CANCELLED — each their own track; only the owner may upload one
//! as another participant's. A recording uploaded after the meeting ended publishes
//! `meeting.recording_added`.
//!
//! Deleting: the owner deletes a meeting in any status (`DELETE /api/meetings/{id}`; 403 for
//! a participant). One transaction removes its row, participants and recordings' rows and
//! writes `meeting.deleted` (meeting, owner, participants); the recordings' files go after
//! the commit, and again on the service's own `meeting.deleted` (`cleanup.rs`), so they never
//! outlive the meeting. The other services delete what they made from the meeting when that
//! event reaches them, and keep a tombstone so that work still in flight for the meeting
//! creates nothing afterwards (`quorum_service::deleted_meetings`).

#![forbid(unsafe_code)]

use std::path::PathBuf;
use std::sync::Arc;

use quorum_bus::{spawn_workers, Broker, Outbox, Topology, WorkerOptions};
use quorum_cache::CacheStore;
use quorum_contracts::exchanges;
use quorum_store::Db;
use tokio_util::sync::CancellationToken;

mod app;
mod cleanup;
mod directory;
mod domain;
mod error;
mod events;
mod migrations;
mod pipeline;
mod quota;
mod recording;
mod repository;
mod routes;
mod settings;
mod views;

pub use error::BuildError;
pub use settings::Settings;

/// What the service runs on.
pub struct Deps {
    pub db: Db,
    pub broker: Arc<dyn Broker>,
    pub cache: Arc<dyn CacheStore>,
    /// Where recordings are stored (created if missing): [`Settings::recordings_dir`] when
    /// set, else `<data dir>/recordings`.
    pub recordings_dir: PathBuf,
}

/// The assembled service.
pub struct Meeting {
    settings: Settings,
    state: app::AppState,
    broker: Arc<dyn Broker>,
}

/// Migrates the database (outbox/inbox tables and the service's own) and assembles the
/// service. Nothing runs until [`Meeting::router`] is served and
/// [`Meeting::spawn_background`] is called.
pub async fn build(settings: Settings, deps: Deps) -> Result<Meeting, BuildError> {
    settings.validate().map_err(BuildError::Settings)?;
    quorum_service::prepare(
        &deps.db,
        "meeting",
        migrations::MIGRATIONS,
        quorum_service::Directory::Kept,
    )
    .await
    .map_err(BuildError::Migrate)?;
    let recordings =
        recording::RecordingStore::open(&deps.recordings_dir, settings.recording_max_bytes)
            .map_err(|source| BuildError::RecordingsDir {
                path: deps.recordings_dir.clone(),
                source,
            })?;
    let outbox = Outbox::new(deps.db.clone());
    let rules = quota::RecordingRules::new(&settings);
    Ok(Meeting {
        settings,
        state: app::AppState::new(deps.db, outbox, deps.cache, recordings, rules),
        broker: deps.broker,
    })
}

impl Meeting {
    /// The `/api/meetings…` routes, state applied.
    pub fn router(&self) -> axum::Router {
        routes::router(self.state.clone())
    }

    /// Exchanges and queues this service needs: it publishes to `meeting.events` (routing key =
    /// event type, `meeting.recording_added` included) and
    /// consumes `user.*` from `user.events` through `meeting.user.queue`, and
    /// `ai.analysis.completed` (from `ai.events`) and `todo.created`, `todo.completed`,
    /// `todo.deleted` (from `todo.events`) through `meeting.pipeline.queue`, and its own
    /// `meeting.deleted` through `meeting.cleanup.queue` (a deleted meeting's files).
    pub fn topology() -> Topology {
        Topology::new()
            .exchange(exchanges::MEETING)
            .subscribe(&directory::SUBSCRIPTION)
            .subscribe(&pipeline::SUBSCRIPTION)
            .subscribe(&cleanup::SUBSCRIPTION)
    }

    /// The OpenAPI description of every route.
    pub fn openapi() -> utoipa::openapi::OpenApi {
        routes::openapi()
    }

    /// Starts the outbox relay, the participant-directory, pipeline and cleanup consumers;
    /// all stop (draining work in flight) when `shutdown` is cancelled.
    pub fn spawn_background(
        &self,
        shutdown: CancellationToken,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let relay = self
            .state
            .outbox
            .spawn_relay(self.broker.clone(), shutdown.clone());
        let options = WorkerOptions {
            concurrency: self.settings.directory_consumers.max(1),
            ..WorkerOptions::default()
        };
        let directory = spawn_workers(
            self.broker.clone(),
            directory::SUBSCRIPTION.queue,
            options.clone(),
            directory::consumer(self.state.clone()),
            shutdown.clone(),
        );
        let pipeline = spawn_workers(
            self.broker.clone(),
            pipeline::SUBSCRIPTION.queue,
            options.clone(),
            pipeline::Pipeline::consumer(self.state.clone()),
            shutdown.clone(),
        );
        let cleanup = spawn_workers(
            self.broker.clone(),
            cleanup::SUBSCRIPTION.queue,
            options,
            std::sync::Arc::new(cleanup::Cleanup::new(self.state.clone())),
            shutdown,
        );
        vec![relay, directory, pipeline, cleanup]
    }
}

impl quorum_service::Hosted for Meeting {
    fn routes(&self) -> axum::Router {
        self.router()
    }

    fn background(&self, shutdown: CancellationToken) -> Vec<tokio::task::JoinHandle<()>> {
        self.spawn_background(shutdown)
    }
}
