//! The todo service: action items from meetings and by hand, their assignees, due dates and
//! status (`OPEN → IN_PROGRESS → DONE`, or `OPEN → DONE`; never backwards), with a status
//! history, per-user stats and events on `todo.events` (`todo.created`,
//! `todo.status_changed`, `todo.completed`, `todo.deleted`).
//!
//! Todos come from three places:
//! - `meeting.ended` (queue `todo.meeting.queue`): the explicit action lines of the notes
//!   (`- [ ] @Name … by Friday`, `TODO(Name): …`, `Action: Name to …`, `할 일: 이름 - …`, see
//!   `extract/notes.rs`), assignees matched to participants by name and relative due dates
//!   resolved against the meeting's local date ([`Settings::timezone`]); source `NOTES`;
//! - `ai.analysis.completed` (queue `todo.ai.queue`): one per action item; source `AI`;
//! - `POST /api/todos`: source `MANUAL`.
//!
//! **Dedupe rule.** An action item becomes exactly one todo, however often events are
//! redelivered and whichever source saw it first. Redeliveries are stopped by the inbox
//! (consumer, event id). Across sources, an item is the same as an existing todo of the
//! same meeting when (1) the assignee is the same — the same user id, or both unresolved
//! with the same name (case, spaces and honorifics ignored), or both unassigned — and
//! (2) the titles are similar: each is reduced to a token set (date phrases, punctuation
//! and filler words removed, lowercased, plural `s` and Korean particles cut) and the sets
//! have a Jaccard index ≥ 0.6, or one contains the other (the smaller having ≥ 2 tokens, or
//! the larger ≤ 2). A duplicate creates nothing; if it carries a due date the existing todo
//! lacks, the date is filled in (no event is published for that). Each consumer first
//! upserts the meeting's row, whose lock serialises concurrent consumers of one meeting.
//! Manual todos are never deduplicated.
//!
//! **Deleted meetings.** `meeting.deleted` (queue `todo.meeting_deleted.queue`) deletes the
//! meeting's todos, participants and row and records a tombstone
//! (`quorum_service::deleted_meetings`); both event consumers check it before anything else,
//! so a `meeting.ended` or `ai.analysis.completed` that arrives later makes no todos.
//!
//! **Who may be assigned** (`assign.rs`, docs/security.md): by hand, a todo goes to nobody,
//! to the caller, or — for a todo of a meeting the caller takes part in — to one of that
//! meeting's participants (owner included), as announced by `meeting.created`,
//! `meeting.started` (queue `todo.meeting_changed.queue`) and `meeting.ended`; anyone else is
//! a 403 `todo_assignee_forbidden`, on `POST` and on a `PATCH` that changes the assignee.
//! Automatic todos only ever name participants.
//!
//! Who sees what: the list and stats are the caller's todos (assigned to or created by
//! them; automatic todos are created by the meeting's owner). A todo is readable by its
//! assignee, its creator and the participants of its meeting (else 404); it may be changed
//! by its assignee, its creator or the meeting's owner (a participant gets 403), and deleted
//! (`DELETE /api/todos/{id}`, publishing `todo.deleted`) by its creator or the meeting's
//! owner only (its assignee and participants get 403, `todo_delete_forbidden`).
//!
//! Layout:
//! - `extract/`: notes parser, date resolver, name matching, title similarity (pure);
//! - `domain/`: status machine and sources, validated inputs;
//! - `ingest.rs`: the dedupe-and-insert step both event consumers share;
//! - `consumers/`: `meeting.created`/`started`, `meeting.ended`, `ai.analysis.completed`,
//!   `meeting.deleted`, `user.*` (directory);
//! - `assign.rs`: who a todo may be assigned to;
//! - `routes/`: HTTP handlers and the OpenAPI document; `views.rs`: JSON bodies;
//! - `app.rs`: state, cache-aside (the caller's todos and stats, 5 min, evicted for the
//!   assignee and creator on every write), access rules;
//! - `repository/`: SQL; `migrations.rs`: schema; `events.rs`: outbox events;
//!   `error.rs`: [`BuildError`] and the problem mapping; `settings.rs`: [`Settings`].

#![forbid(unsafe_code)]

use std::sync::Arc;

use quorum_bus::{spawn_workers, Broker, Handler, Outbox, Topology, WorkerOptions};
use quorum_cache::CacheStore;
use quorum_contracts::exchanges;
use quorum_store::Db;
use tokio_util::sync::CancellationToken;

mod app;
mod assign;
mod consumers;
mod domain;
mod error;
mod events;
mod extract;
mod ingest;
mod migrations;
mod repository;
mod routes;
mod settings;
mod views;

pub use error::BuildError;
pub use settings::Settings;

use consumers::{
    analysis, directory, meeting_changed, meeting_deleted, meeting_ended, TodoConsumer,
};

/// What the service runs on.
pub struct Deps {
    pub db: Db,
    pub broker: Arc<dyn Broker>,
    pub cache: Arc<dyn CacheStore>,
}

/// The assembled service.
pub struct Todo {
    settings: Settings,
    state: app::AppState,
    broker: Arc<dyn Broker>,
}

/// Checks the settings, migrates the database (outbox/inbox tables and the service's own)
/// and assembles the service. Nothing runs until [`Todo::router`] is served and
/// [`Todo::spawn_background`] is called.
pub async fn build(settings: Settings, deps: Deps) -> Result<Todo, BuildError> {
    let offset = settings.offset().map_err(BuildError::Settings)?;
    quorum_service::prepare(
        &deps.db,
        "todo",
        migrations::MIGRATIONS,
        quorum_service::Directory::Kept,
    )
    .await
    .map_err(BuildError::Migrate)?;
    let outbox = Outbox::new(deps.db.clone());
    Ok(Todo {
        settings,
        state: app::AppState::new(deps.db, outbox, deps.cache, offset),
        broker: deps.broker,
    })
}

impl Todo {
    /// The `/api/todos…` routes, state applied.
    pub fn router(&self) -> axum::Router {
        routes::api()
            .with_state(self.state.clone())
            .split_for_parts()
            .0
    }

    /// Exchanges and queues this service needs: it publishes to `todo.events` and consumes
    /// `meeting.created`, `meeting.started`, `meeting.ended`, `ai.analysis.completed`,
    /// `meeting.deleted` and `user.*`.
    pub fn topology() -> Topology {
        Topology::new()
            .exchange(exchanges::TODO)
            .subscribe(&meeting_ended::SUBSCRIPTION)
            .subscribe(&meeting_changed::SUBSCRIPTION)
            .subscribe(&analysis::SUBSCRIPTION)
            .subscribe(&meeting_deleted::SUBSCRIPTION)
            .subscribe(&directory::SUBSCRIPTION)
    }

    /// The OpenAPI description of every route.
    pub fn openapi() -> utoipa::openapi::OpenApi {
        routes::api().into_openapi()
    }

    /// Starts the outbox relay and the five consumers; all stop (draining work in flight)
    /// when `shutdown` is cancelled.
    pub fn spawn_background(
        &self,
        shutdown: CancellationToken,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let relay = self
            .state
            .outbox
            .spawn_relay(self.broker.clone(), shutdown.clone());
        let options = WorkerOptions {
            concurrency: self.settings.consumers.max(1),
            ..WorkerOptions::default()
        };
        let state = &self.state;
        let workers: [(&str, Arc<dyn Handler>); 5] = [
            (
                meeting_ended::SUBSCRIPTION.queue,
                TodoConsumer::consumer(state.clone(), meeting_ended::MeetingEndedConsumer),
            ),
            (
                meeting_changed::SUBSCRIPTION.queue,
                TodoConsumer::consumer(state.clone(), meeting_changed::MeetingChangedConsumer),
            ),
            (
                analysis::SUBSCRIPTION.queue,
                TodoConsumer::consumer(state.clone(), analysis::AnalysisConsumer),
            ),
            (
                meeting_deleted::SUBSCRIPTION.queue,
                TodoConsumer::consumer(state.clone(), meeting_deleted::MeetingDeletedConsumer),
            ),
            (
                directory::SUBSCRIPTION.queue,
                directory::consumer(state.clone()),
            ),
        ];
        let mut handles = vec![relay];
        for (queue, handler) in workers {
            handles.push(spawn_workers(
                self.broker.clone(),
                queue,
                options.clone(),
                handler,
                shutdown.clone(),
            ));
        }
        handles
    }
}

impl quorum_service::Hosted for Todo {
    fn routes(&self) -> axum::Router {
        self.router()
    }

    fn background(&self, shutdown: CancellationToken) -> Vec<tokio::task::JoinHandle<()>> {
        self.spawn_background(shutdown)
    }
}
