//! The AI service: analyses meeting transcripts into a summary, action items, decisions and
//! follow-up schedule suggestions.
//!
//! - **Automatic analysis** (Publisher-Subscriber): every `transcript.created` is analysed
//!   once; the result is stored and `ai.analysis.completed` published through the outbox.
//!   The meeting becomes MINUTES_READY on that event, so every transcript gets one: when
//!   the engine cannot make an analysis, an empty one (engine `none`) is stored and
//!   published instead (`transcripts.rs`).
//! - **Requested analyses** (Asynchronous Request-Reply + Queue-Based Load Leveling):
//!   `POST /api/ai/schedules|summaries` answer `202` with a task; bounded workers on
//!   `ai.processing.queue` do the work; clients poll `GET /api/ai/tasks/{id}` or follow its
//!   SSE stream. A full queue answers `503` + `Retry-After`.
//! - **Engines**: the built-in engine ([`engine::BuiltinEngine`]), or an OpenAI-compatible
//!   chat server that falls back to it on timeout, error, junk or an open circuit.
//!
//! The process assembles it like every service: [`build`] (runs migrations), then
//! [`Ai::router`], [`Ai::topology`], [`Ai::openapi`], [`Ai::spawn_background`] and
//! [`Ai::ready`] (readiness).
//!
//! Layout:
//! - `engine/`: the analysis engine trait and the built-in engine (pure, unit-tested);
//! - `openai/`: the chat client (`prompt.rs`, `parse.rs`); `analyzer.rs`: engine choice and
//!   fallback; `analysis.rs`: transcript → engine input, engine output → stored document;
//! - `transcripts.rs`: the `transcript.created` consumer; `jobs.rs`: the work-queue workers;
//!   `deletion.rs`: the `meeting.deleted` consumer (a deleted meeting's analyses go, and its
//!   tombstone stops work in flight from bringing them back);
//! - `routes/`: HTTP handlers and the OpenAPI document; `app.rs`: state and visibility;
//! - `repository.rs` + `migrations.rs`: SQL; `events.rs`: the outbox event; `ics.rs`:
//!   iCalendar; `views.rs`: JSON bodies; `error.rs`, `settings.rs`.
//!
//! Who may see what: a transcript's, a meeting's analysis and a suggestion's participants
//! (from the `transcript.created` payload); a task's requester. Everyone else gets 404.

#![forbid(unsafe_code)]

use std::sync::Arc;

use quorum_bus::{spawn_workers, Broker, Outbox, Topology, WorkerOptions};
use quorum_contracts::exchanges;
use quorum_store::Db;
use quorum_telemetry::health::FnIndicator;
use quorum_telemetry::Health;
use tokio_util::sync::CancellationToken;

mod analysis;
mod analyzer;
mod app;
mod deletion;
pub mod engine;
mod error;
mod events;
mod ics;
mod jobs;
mod migrations;
mod openai;
mod repository;
mod routes;
mod settings;
mod transcripts;
mod views;

pub use analysis::input as engine_input;
pub use error::BuildError;
pub use settings::{EngineKind, OpenAiSettings, Secret, Settings};

/// What the service runs on.
pub struct Deps {
    pub db: Db,
    pub broker: Arc<dyn Broker>,
    pub tasks: Arc<dyn quorum_tasks::TaskStore>,
}

/// The assembled service.
pub struct Ai {
    settings: Settings,
    state: app::AppState,
}

/// Migrates the database and assembles the service with the engine `settings.engine` names.
/// Nothing runs until [`Ai::router`] is served and [`Ai::spawn_background`] is called.
pub async fn build(settings: Settings, deps: Deps) -> Result<Ai, BuildError> {
    build_with_engine(settings, deps, Arc::new(engine::BuiltinEngine)).await
}

/// [`build`] with another local engine in place of the built-in one (it is also what the
/// chat engine falls back to): for tests, or an embedder's own engine.
pub async fn build_with_engine(
    settings: Settings,
    deps: Deps,
    local: Arc<dyn engine::AnalysisEngine>,
) -> Result<Ai, BuildError> {
    let timezone = settings.offset().map_err(BuildError::Settings)?;
    let chat = match settings.engine {
        EngineKind::Builtin => None,
        EngineKind::Openai => {
            Some(openai::OpenAiEngine::new(settings.openai.clone()).map_err(BuildError::Settings)?)
        }
    };
    quorum_service::prepare(
        &deps.db,
        "ai",
        migrations::MIGRATIONS,
        quorum_service::Directory::None,
    )
    .await
    .map_err(BuildError::Migrate)?;
    let state = app::AppState {
        outbox: Outbox::new(deps.db.clone()),
        db: deps.db,
        broker: deps.broker,
        tasks: deps.tasks,
        analyzer: analyzer::Analyzer::new(chat, local),
        timezone,
    };
    Ok(Ai { settings, state })
}

impl Ai {
    /// The `/api/ai…` routes, state applied (the host adds `Idempotency-Key` handling, as for
    /// every service).
    pub fn router(&self) -> axum::Router {
        routes::api()
            .with_state(self.state.clone())
            .split_for_parts()
            .0
    }

    /// Exchanges and queues with the default settings (see [`Ai::topology_for`]).
    pub fn topology() -> Topology {
        Self::topology_for(&Settings::default())
    }

    /// Exchanges and queues: publishes to `ai.events`; consumes `transcript.created` from
    /// `transcript.events` through `ai.transcript.queue` and `meeting.deleted` from
    /// `meeting.events` through `ai.meeting_deleted.queue`; works `ai.processing.queue`
    /// (max-length from `settings`, TTL 2 h, 3 deliveries, dead-letter queue).
    pub fn topology_for(settings: &Settings) -> Topology {
        Topology::new()
            .exchange(exchanges::AI)
            .subscribe(&transcripts::SUBSCRIPTION)
            .subscribe(&deletion::SUBSCRIPTION)
            .queue(jobs::queue_spec(settings.queue_max_length))
    }

    /// The OpenAPI description of every route.
    pub fn openapi() -> utoipa::openapi::OpenApi {
        routes::api().into_openapi()
    }

    /// The engine's readiness for `/actuator/health/readiness`: the built-in engine is always
    /// up; the chat engine reports its circuit and whether its server answers (still UP when
    /// it does not: the built-in engine answers meanwhile).
    pub async fn ready(&self) -> Health {
        self.state.analyzer.health().await
    }

    /// Starts the outbox relay, the `transcript.created` and `meeting.deleted` consumers and
    /// `settings.workers` job workers; all stop (draining work in flight) when `shutdown` is
    /// cancelled.
    pub fn spawn_background(
        &self,
        shutdown: CancellationToken,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let broker = self.state.broker.clone();
        let relay = self
            .state
            .outbox
            .spawn_relay(broker.clone(), shutdown.clone());
        let consumer = spawn_workers(
            broker.clone(),
            transcripts::SUBSCRIPTION.queue,
            WorkerOptions {
                concurrency: 2,
                ..WorkerOptions::default()
            },
            Arc::new(transcripts::TranscriptHandler::new(self.state.clone())),
            shutdown.clone(),
        );
        let deletion = spawn_workers(
            broker.clone(),
            deletion::SUBSCRIPTION.queue,
            WorkerOptions {
                concurrency: 1,
                ..WorkerOptions::default()
            },
            deletion::MeetingDeletion::consumer(self.state.clone()),
            shutdown.clone(),
        );
        let mut handles = vec![relay, consumer, deletion];
        if self.settings.workers > 0 {
            handles.push(spawn_workers(
                broker,
                jobs::QUEUE,
                WorkerOptions {
                    concurrency: self.settings.workers,
                    ..WorkerOptions::default()
                },
                Arc::new(jobs::JobHandler::new(self.state.clone())),
                shutdown,
            ));
        }
        handles
    }
}

impl quorum_service::Hosted for Ai {
    fn routes(&self) -> axum::Router {
        self.router()
    }

    fn background(&self, shutdown: CancellationToken) -> Vec<tokio::task::JoinHandle<()>> {
        self.spawn_background(shutdown)
    }

    /// `aiEngine`: [`Ai::ready`] (informational: the built-in engine answers while a chat
    /// server is away).
    fn indicators(&self) -> Vec<Arc<dyn quorum_telemetry::HealthIndicator>> {
        let analyzer = self.state.analyzer.clone();
        let indicator = FnIndicator::new("aiEngine", move || {
            let analyzer = analyzer.clone();
            async move { analyzer.health().await }
        })
        .informational();
        vec![Arc::new(indicator)]
    }
}
