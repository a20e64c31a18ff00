//! The notification service: tells people what happened to their meetings, transcripts and
//! to-dos — in the app (a list, and live over Server-Sent Events) and by e-mail, in Korean
//! or English, as each person's preferences allow.
//!
//! The process assembles it like every service: [`build`] (runs migrations, prepares the
//! SMTP transport), then [`Notification::router`], [`Notification::topology`],
//! [`Notification::openapi`], [`Notification::spawn_background`] (outbox relay, event
//! consumers, e-mail workers) and [`Notification::health`] (SMTP, informational).
//!
//! Flow: an event (`meeting.*`, `transcript.*`, `todo.*`, `ai.analysis.completed`) arrives
//! on the service's queue → in one transaction: inbox row, recipients, one in-app
//! notification per recipient, and per their preferences an e-mail delivery plus its job in
//! the outbox → after commit the notifications go to open streams and the relay moves the
//! jobs to `notification.queue` (Queue-Based Load Leveling: bounded, TTL, DLQ) → e-mail
//! workers send them over SMTP. Every step is keyed so a redelivered event or job never
//! notifies or sends twice. `user.*` keeps the local user directory (e-mail, name, locale; `quorum_directory`).
//! `auth.email_change_requested` mails the code of an e-mail change to the new address
//! (`consumers/confirm.rs`).
//! `meeting.deleted` deletes every notification and e-mail about the meeting and leaves a
//! tombstone, so events about it that arrive later notify nobody (`consumers/deletion.rs`).
//!
//! Layout:
//! - `domain/`: notification kinds, preferences, locale choice (pure, unit-tested);
//! - `consumers/`: queues and consumers (`mod.rs`), who hears about what (`plan.rs`),
//!   writing notifications and deliveries (`notify.rs`);
//! - `templates/`: Korean and English messages;
//! - `mail/`: the work queue, the SMTP sender, and the workers (`worker.rs`);
//! - `hub.rs`: per-user broadcast for the event stream;
//! - `routes/`: HTTP handlers and the OpenAPI document; `views.rs`: JSON bodies;
//! - `repository/`: SQL (portable between SQLite and PostgreSQL); `migrations.rs`: schema;
//! - `error.rs`: [`BuildError`] and the problem mapping; `settings.rs`: [`Settings`].
//!
//! Who sees what: a caller sees and marks only their own notifications (someone else's is
//! 404, so existence is not revealed).

#![forbid(unsafe_code)]

use std::sync::Arc;

use quorum_bus::{spawn_workers, Broker, Consumer, Outbox, Topology, WorkerOptions};
use quorum_cache::CacheStore;
use quorum_directory::UserEvents;
use quorum_store::Db;
use quorum_telemetry::health::FnIndicator;
use quorum_telemetry::Health;
use tokio_util::sync::CancellationToken;

mod app;
mod consumers;
mod domain;
mod error;
mod hub;
mod mail;
mod migrations;
mod repository;
mod routes;
mod settings;
mod templates;
mod views;

pub use error::BuildError;
pub use settings::{Secret, Security, Settings, SmtpSettings};

/// What the service runs on.
pub struct Deps {
    pub db: Db,
    pub broker: Arc<dyn Broker>,
    /// Not used yet (nothing here is read often enough to cache); kept so every service is
    /// assembled alike.
    pub cache: Arc<dyn CacheStore>,
}

/// The assembled service.
pub struct Notification {
    settings: Settings,
    state: app::AppState,
    broker: Arc<dyn Broker>,
    mailer: Option<Arc<mail::Mailer>>,
}

/// Migrates the database (outbox/inbox tables and the service's own) and assembles the
/// service. Fails when an SMTP setting is unusable (the error names it). Nothing runs until
/// [`Notification::router`] is served and [`Notification::spawn_background`] is called.
pub async fn build(settings: Settings, deps: Deps) -> Result<Notification, BuildError> {
    let mailer = mail::Mailer::from_settings(&settings.smtp)?.map(Arc::new);
    quorum_service::prepare(
        &deps.db,
        "notification",
        migrations::MIGRATIONS,
        quorum_service::Directory::Kept,
    )
    .await
    .map_err(BuildError::Migrate)?;
    let state = app::AppState {
        outbox: Outbox::new(deps.db.clone()),
        db: deps.db,
        hub: hub::Hub::default(),
        email_enabled: mailer.is_some(),
        public_url: settings.public_url.trim_end_matches('/').to_string(),
        closing: CancellationToken::new(),
    };
    if mailer.is_none() {
        tracing::info!("no notification.smtp.host configured: notifications are in-app only");
    }
    Ok(Notification {
        settings,
        state,
        broker: deps.broker,
        mailer,
    })
}

impl Notification {
    /// The `/api/notifications…` routes, state applied.
    pub fn router(&self) -> axum::Router {
        routes::api()
            .with_state(self.state.clone())
            .split_for_parts()
            .0
    }

    /// Exchanges and queues this service needs: its six event queues and bindings, and the
    /// e-mail work queue `notification.queue` (max 2000, TTL 30 min, 5 deliveries, DLQ)
    /// bound to the private exchange `notification.jobs`.
    pub fn topology() -> Topology {
        let mut t = Topology::new();
        for c in consumers::EVENT_CONSUMERS
            .iter()
            .chain([&consumers::USER_CONSUMER, &consumers::AUTH_CONSUMER])
        {
            t = t.subscribe(&c.subscription);
        }
        t.exchange(mail::JOBS_EXCHANGE)
            .queue(mail::queue_spec())
            .bind(mail::QUEUE, mail::JOBS_EXCHANGE, mail::JOB_KIND)
    }

    /// The OpenAPI description of every route.
    pub fn openapi() -> utoipa::openapi::OpenApi {
        routes::api().into_openapi()
    }

    /// Whether e-mail is configured (`smtp.host` set).
    pub fn email_enabled(&self) -> bool {
        self.mailer.is_some()
    }

    /// The `smtp` health component. Informational: it never takes the process out of
    /// rotation; with no host it says notifications are in-app only.
    pub fn health(&self) -> FnIndicator {
        let smtp = self.settings.smtp.clone();
        FnIndicator::new("smtp", move || {
            let smtp = smtp.clone();
            async move {
                match smtp.host {
                    None => Health::up().with_detail("enabled", false).with_detail(
                        "detail",
                        "no smtp.host configured; notifications are in-app only",
                    ),
                    Some(host) => Health::up()
                        .with_detail("enabled", true)
                        .with_detail("host", host)
                        .with_detail("port", smtp.port)
                        .with_detail("security", format!("{:?}", smtp.security).to_lowercase()),
                }
            }
        })
        .informational()
    }

    /// Ends the open event streams when `shutdown` is cancelled (part of
    /// [`Notification::spawn_background`]; alone for an instance that runs no background work).
    pub fn spawn_stream_closer(&self, shutdown: CancellationToken) -> tokio::task::JoinHandle<()> {
        let closing = self.state.closing.clone();
        tokio::spawn(async move {
            shutdown.cancelled().await;
            closing.cancel();
        })
    }

    /// Starts the outbox relay (e-mail jobs), the event and contact consumers and, when SMTP
    /// is configured, the e-mail workers; all stop (draining work in flight) and open event
    /// streams end when `shutdown` is cancelled.
    pub fn spawn_background(
        &self,
        shutdown: CancellationToken,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        let mut handles = vec![self.spawn_stream_closer(shutdown.clone())];
        handles.push(
            self.state
                .outbox
                .spawn_relay(self.broker.clone(), shutdown.clone()),
        );
        let options = WorkerOptions {
            concurrency: self.settings.consumers.max(1),
            ..WorkerOptions::default()
        };
        for c in consumers::EVENT_CONSUMERS {
            handles.push(spawn_workers(
                self.broker.clone(),
                c.subscription.queue,
                options.clone(),
                consumers::Notify::consumer(self.state.clone(), c.name),
                shutdown.clone(),
            ));
        }
        let c = consumers::USER_CONSUMER;
        let directory = Consumer::new(self.state.db.clone(), UserEvents::new(c.name));
        handles.push(spawn_workers(
            self.broker.clone(),
            c.subscription.queue,
            options.clone(),
            directory,
            shutdown.clone(),
        ));
        let confirm = consumers::confirm::ConfirmAddress {
            state: self.state.clone(),
        };
        handles.push(spawn_workers(
            self.broker.clone(),
            consumers::AUTH_CONSUMER.subscription.queue,
            options,
            Consumer::new(self.state.db.clone(), confirm),
            shutdown.clone(),
        ));
        if let Some(mailer) = &self.mailer {
            let spec = mail::queue_spec();
            let handler = mail::worker::EmailHandler::new(
                self.state.db.clone(),
                mailer.clone(),
                spec.max_deliveries,
                self.settings.smtp.timeout_ms,
            );
            let options = WorkerOptions {
                concurrency: self.settings.workers.max(1),
                backoff_base: std::time::Duration::from_millis(self.settings.retry_base_ms),
                backoff_max: std::time::Duration::from_millis(self.settings.retry_max_ms),
            };
            handles.push(spawn_workers(
                self.broker.clone(),
                mail::QUEUE,
                options,
                Arc::new(handler),
                shutdown,
            ));
        }
        handles
    }
}

impl quorum_service::Hosted for Notification {
    fn routes(&self) -> axum::Router {
        self.router()
    }

    fn background(&self, shutdown: CancellationToken) -> Vec<tokio::task::JoinHandle<()>> {
        self.spawn_background(shutdown)
    }

    /// Open event streams still end on shutdown.
    fn read_only_background(
        &self,
        shutdown: CancellationToken,
    ) -> Vec<tokio::task::JoinHandle<()>> {
        vec![self.spawn_stream_closer(shutdown)]
    }

    fn indicators(&self) -> Vec<Arc<dyn quorum_telemetry::HealthIndicator>> {
        vec![Arc::new(self.health())]
    }
}
