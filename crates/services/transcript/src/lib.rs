//! The transcript service: turns every ended meeting into exactly one transcript — from the
//! recording through speech-to-text when there is one, else (or when that fails) from the
//! notes — and lets participants correct and verify it section by section and the owner
//! share it. Publishes `transcript.created`, `transcript.verified` and `transcript.shared`.
//!
//! The process assembles it like every service: [`build`] (runs migrations), then
//! [`Transcript::router`], [`Transcript::topology`], [`Transcript::openapi`] and
//! [`Transcript::spawn_background`] (outbox relay, consumers, speech-to-text workers).
//!
//! Layout:
//! - `domain/`: notes → sections, speaker matching, language detection, status (pure,
//!   unit-tested);
//! - `ingest.rs`: the `meeting.ended` consumer; `transcribe.rs`: the speech-to-text work
//!   queue, its workers and the fallback to notes; `schedule.rs`: meetings taking turns on
//!   that queue, and the sweeper; `create.rs`: building and storing a
//!   transcript with its `transcript.created` event; `stt.rs`: the [`SpeechToText`] port;
//! - `routes/`: HTTP handlers, one file per group, and the OpenAPI document;
//! - `app.rs`: state and cache-aside reads (`TRANSCRIPT`, `SECTIONS`, 30 min, evicted after
//!   every write); `repository/`: SQL; `migrations.rs`: schema;
//! - `directory.rs`: the `user.*` consumer (who may be shared with); `deletion.rs`: the
//!   `meeting.deleted` consumer (everything kept for a deleted meeting goes, and a tombstone
//!   stops work in flight from bringing it back);
//! - `events.rs`: events through the outbox; `views.rs`: JSON bodies; `error.rs`:
//!   `ApiError` and [`BuildError`]; `settings.rs`: [`Settings`].
//!
//! Who may do what: the meeting's participants and the users it was shared with read a
//! transcript (others get 404); participants correct and verify sections (403 for a reader
//! it was only shared with); only the owner shares it.

#![forbid(unsafe_code)]

use std::sync::Arc;

use quorum_bus::{spawn_workers, Broker, Topology, WorkerOptions};
use quorum_cache::CacheStore;
use quorum_contracts::exchanges;
use quorum_store::Db;
use tokio_util::sync::CancellationToken;

mod app;
mod create;
mod deletion;
mod directory;
mod domain;
mod engines;
mod error;
mod events;
mod ingest;
mod migrations;
mod notes;
mod openai;
mod repository;
mod routes;
mod schedule;
mod settings;
mod split;
mod stt;
mod transcribe;
mod views;
#[cfg(feature = "whisper")]
mod whisper;

pub use engines::{from_settings as engine_from_settings, whisper_model_dir, NotReady};
pub use error::BuildError;
pub use notes::sections_of_notes;
pub use openai::OpenAiStt;
pub use settings::{
    ChunkSettings, EngineKind, OpenAiSettings, Settings, SttSettings, WhisperSettings,
};
pub use stt::{
    AudioChunk, SpeechToText, SttError, SttOutput, SttSegment, Unconfigured, UNCONFIGURED_MESSAGE,
};

/// What the service runs on.
pub struct Deps {
    pub db: Db,
    pub broker: Arc<dyn Broker>,
    pub cache: Arc<dyn CacheStore>,
    pub tasks: Arc<dyn quorum_tasks::TaskStore>,
    pub stt: Arc<dyn SpeechToText>,
    /// Where chunk audio is kept (`transcript.chunks_dir`, else `<data.dir>/stt-chunks`);
    /// shared by every replica.
    pub chunks_dir: std::path::PathBuf,
}

/// The assembled service.
pub struct Transcript {
    settings: Settings,
    state: app::AppState,
}

/// Checks the settings, migrates the database (outbox/inbox tables and the service's own)
/// and assembles the service. Nothing runs until [`Transcript::router`] is served and
/// [`Transcript::spawn_background`] is called.
pub async fn build(settings: Settings, deps: Deps) -> Result<Transcript, BuildError> {
    settings.validate().map_err(BuildError::Settings)?;
    quorum_service::prepare(
        &deps.db,
        "transcript",
        migrations::MIGRATIONS,
        quorum_service::Directory::Kept,
    )
    .await
    .map_err(BuildError::Migrate)?;
    let state = app::AppState::new(
        deps.db,
        deps.broker,
        deps.cache,
        deps.tasks,
        deps.stt,
        deps.chunks_dir,
        &settings,
    );
    Ok(Transcript { settings, state })
}

impl Transcript {
    /// The `/api/transcripts…` routes, state applied.
    pub fn router(&self) -> axum::Router {
        routes::api()
            .with_state(self.state.clone())
            .split_for_parts()
            .0
    }

    /// Exchanges and queues this service needs: it publishes to `transcript.events`,
    /// consumes `meeting.ended` (`transcript.meeting.queue`), `meeting.deleted`
    /// (`transcript.meeting_deleted.queue`) and `user.*` (`transcript.user.queue`), and owns the work queue `transcript.creation.queue`
    /// (1000 jobs, 1 h TTL, 3 deliveries, dead-letter queue).
    pub fn topology() -> Topology {
        Topology::new()
            .exchange(exchanges::TRANSCRIPT)
            .subscribe(&ingest::SUBSCRIPTION)
            .subscribe(&directory::SUBSCRIPTION)
            .subscribe(&deletion::SUBSCRIPTION)
            .queue(transcribe::queue_spec())
    }

    /// The OpenAPI description of every route.
    pub fn openapi() -> utoipa::openapi::OpenApi {
        routes::api().into_openapi()
    }

    /// Starts the outbox relay, the `meeting.ended`, `meeting.deleted` and directory
    /// consumers, the speech-to-text workers (`stt_workers` at once) and the expired-job
    /// sweeper; all stop, draining work in flight, when `shutdown` is cancelled.
    pub fn spawn_background(
        &self,
        shutdown: CancellationToken,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let state = &self.state;
        let broker = state.broker.clone();
        let workers = |n: usize| WorkerOptions {
            concurrency: n.max(1),
            ..WorkerOptions::default()
        };
        vec![
            state.outbox.spawn_relay(broker.clone(), shutdown.clone()),
            spawn_workers(
                broker.clone(),
                ingest::SUBSCRIPTION.queue,
                workers(self.settings.meeting_consumers),
                Arc::new(ingest::MeetingEndedHandler::new(state.clone())),
                shutdown.clone(),
            ),
            spawn_workers(
                broker.clone(),
                directory::SUBSCRIPTION.queue,
                workers(self.settings.directory_consumers),
                directory::consumer(state.clone()),
                shutdown.clone(),
            ),
            spawn_workers(
                broker.clone(),
                deletion::SUBSCRIPTION.queue,
                workers(self.settings.meeting_consumers),
                deletion::MeetingDeletion::consumer(state.clone()),
                shutdown.clone(),
            ),
            spawn_workers(
                broker,
                transcribe::QUEUE,
                workers(self.settings.stt_workers),
                Arc::new(transcribe::SttHandler::new(state.clone())),
                shutdown.clone(),
            ),
            schedule::spawn_sweeper(state.clone(), shutdown),
        ]
    }
}

impl quorum_service::Hosted for Transcript {
    fn routes(&self) -> axum::Router {
        self.router()
    }

    fn background(&self, shutdown: CancellationToken) -> Vec<tokio::task::JoinHandle<()>> {
        self.spawn_background(shutdown)
    }

    /// `speechToText`: the engine's readiness (informational: recordings wait while it is
    /// down; notes still become transcripts).
    fn indicators(&self) -> Vec<Arc<dyn quorum_telemetry::HealthIndicator>> {
        let stt = self.state.stt.clone();
        let indicator = quorum_telemetry::health::FnIndicator::new("speechToText", move || {
            let stt = stt.clone();
            async move {
                let health = match stt.ready().await {
                    Ok(()) => quorum_telemetry::Health::up(),
                    Err(e) => quorum_telemetry::Health::down(e),
                };
                health
                    .with_detail("engine", stt.name())
                    .with_detail("configured", stt.configured())
            }
        })
        .informational();
        vec![Arc::new(indicator)]
    }
}
