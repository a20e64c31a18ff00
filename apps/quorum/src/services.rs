//! Builds the six services over the shared backends of this process.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use quorum_auth::RevocationList;
use quorum_bus::{Broker, Topology};
use quorum_cache::CacheStore;
use quorum_service::Hosted;
use quorum_store::{Db, DbOptions};
use quorum_tasks::TaskStore;
use quorum_telemetry::HealthIndicator;
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use utoipa::openapi::OpenApi;

use crate::plan::{Plan, SERVICES};
use crate::Settings;

/// The backends every service of this process shares.
pub(crate) struct Backends {
    pub(crate) broker: Arc<dyn Broker>,
    pub(crate) cache: Arc<dyn CacheStore>,
    pub(crate) revocations: Arc<dyn RevocationList>,
    pub(crate) tasks: Arc<dyn TaskStore>,
}

/// One running service: its name (also its gateway upstream), router and database.
pub(crate) struct Running {
    pub(crate) name: &'static str,
    pub(crate) router: Router,
    pub(crate) db: Db,
}

/// What [`assemble`] returns: the services, their background tasks, and health indicators
/// beyond the databases (engines, SMTP).
pub(crate) struct Assembled {
    pub(crate) running: Vec<Running>,
    pub(crate) background: Vec<JoinHandle<()>>,
    pub(crate) indicators: Vec<Arc<dyn HealthIndicator>>,
}

/// Every exchange, queue and binding of the services this binary runs.
pub(crate) fn topology(settings: &Settings) -> Topology {
    Topology::new()
        .merge(quorum_identity::Identity::topology())
        .merge(quorum_meeting::Meeting::topology())
        .merge(quorum_transcript::Transcript::topology())
        .merge(quorum_ai::Ai::topology_for(&settings.ai))
        .merge(quorum_todo::Todo::topology())
        .merge(quorum_notification::Notification::topology())
}

/// A service's API description (compiled in, so a gateway of its own process documents
/// services it reaches over HTTP too).
pub(crate) fn openapi(service: &str) -> Option<OpenApi> {
    Some(match service {
        "identity" => quorum_identity::Identity::openapi(),
        "meeting" => quorum_meeting::Meeting::openapi(),
        "transcript" => quorum_transcript::Transcript::openapi(),
        "ai" => quorum_ai::Ai::openapi(),
        "todo" => quorum_todo::Todo::openapi(),
        "notification" => quorum_notification::Notification::openapi(),
        _ => return None,
    })
}

pub(crate) async fn open_db(settings: &Settings, data: &Path, name: &str) -> anyhow::Result<Db> {
    if let Some(url) = settings.backends.database_url_for(name) {
        let created = Db::create_postgres_database(&url)
            .await
            .with_context(|| format!("backends.database_url: preparing the {name} database"))?;
        if created {
            tracing::info!(service = name, "created its PostgreSQL database");
        }
        let options = DbOptions {
            max_connections: settings.backends.database_max_connections,
            ..DbOptions::default()
        };
        return Db::connect(&url, &options)
            .await
            .with_context(|| format!("backends.database_url: connecting the {name} database"));
    }
    let path = data.join(format!("{name}.db"));
    Db::open_sqlite(&path, &DbOptions::default())
        .await
        .with_context(|| format!("opening {}", path.display()))
}

/// Builds the services of `plan` (running their migrations) and starts their background
/// work: a writer's relays and consumers, or what a read-only instance needs
/// ([`Hosted::read_only_background`]).
pub(crate) async fn assemble(
    settings: &Settings,
    plan: &Plan,
    b: &Backends,
    data: &Path,
    stop: &CancellationToken,
) -> anyhow::Result<Assembled> {
    let mut running = Vec::new();
    let mut background = Vec::new();
    let mut indicators: Vec<Arc<dyn HealthIndicator>> = Vec::new();
    for name in SERVICES.into_iter().filter(|name| plan.runs(name)) {
        let db = open_db(settings, data, name).await?;
        let service = build(name, settings, b, data, db.clone())
            .await
            .with_context(|| format!("starting the {name} service"))?;
        background.extend(if plan.role().runs_background() {
            service.background(stop.child_token())
        } else {
            service.read_only_background(stop.child_token())
        });
        indicators.extend(service.indicators());
        running.push(Running {
            name,
            router: service.routes(),
            db,
        });
    }
    Ok(Assembled {
        running,
        background,
        indicators,
    })
}

/// Builds one service from its settings and the backends of this process.
async fn build(
    name: &str,
    settings: &Settings,
    b: &Backends,
    data: &Path,
    db: Db,
) -> anyhow::Result<Box<dyn Hosted>> {
    Ok(match name {
        "identity" => Box::new(
            quorum_identity::build(
                identity_settings(settings),
                quorum_identity::Deps {
                    db,
                    broker: b.broker.clone(),
                    cache: b.cache.clone(),
                    revocations: b.revocations.clone(),
                },
            )
            .await?,
        ),
        "meeting" => Box::new(
            quorum_meeting::build(
                settings.meeting.clone(),
                quorum_meeting::Deps {
                    db,
                    broker: b.broker.clone(),
                    cache: b.cache.clone(),
                    recordings_dir: settings
                        .meeting
                        .recordings_dir
                        .clone()
                        .unwrap_or_else(|| data.join("recordings")),
                },
            )
            .await?,
        ),
        "transcript" => {
            let ts = &settings.transcript;
            let stt = quorum_transcript::engine_from_settings(
                &ts.stt,
                &data.join("models"),
                ts.stt_workers,
            )
            .map_err(anyhow::Error::msg)
            .context("transcript.stt")?;
            tracing::info!(
                engine = stt.name(),
                configured = stt.configured(),
                "speech-to-text engine"
            );
            let chunks_dir = ts
                .chunks_dir
                .clone()
                .unwrap_or_else(|| data.join("stt-chunks"));
            let deps = quorum_transcript::Deps {
                db,
                broker: b.broker.clone(),
                cache: b.cache.clone(),
                tasks: b.tasks.clone(),
                stt,
                chunks_dir,
            };
            Box::new(quorum_transcript::build(ts.clone(), deps).await?)
        }
        "ai" => Box::new(
            quorum_ai::build(
                settings.ai.clone(),
                quorum_ai::Deps {
                    db,
                    broker: b.broker.clone(),
                    tasks: b.tasks.clone(),
                },
            )
            .await?,
        ),
        "todo" => Box::new(
            quorum_todo::build(
                settings.todo.clone(),
                quorum_todo::Deps {
                    db,
                    broker: b.broker.clone(),
                    cache: b.cache.clone(),
                },
            )
            .await?,
        ),
        "notification" => Box::new(
            quorum_notification::build(
                settings.notification.clone(),
                quorum_notification::Deps {
                    db,
                    broker: b.broker.clone(),
                    cache: b.cache.clone(),
                },
            )
            .await?,
        ),
        other => anyhow::bail!("no service is called `{other}`"),
    })
}

/// The identity settings, with what follows from the rest of the configuration: a new
/// e-mail address is confirmed by a code sent to it whenever e-mail can be sent.
fn identity_settings(settings: &Settings) -> quorum_identity::Settings {
    let mut identity = settings.identity.clone();
    identity.confirm_email_changes = settings
        .notification
        .smtp
        .host
        .as_deref()
        .is_some_and(|h| !h.trim().is_empty());
    identity
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The whole routing of events between the services, as the broker is told it: a queue
    /// dropped or a binding lost in a service's `topology()` shows up here.
    #[test]
    fn every_consumed_queue_is_declared_and_bound_as_documented() {
        let topology = topology(&Settings::default());
        let mut bindings: Vec<String> = topology
            .bindings
            .iter()
            .map(|b| format!("{} <- {} {}", b.queue, b.exchange, b.pattern))
            .collect();
        bindings.sort();
        assert_eq!(
            bindings,
            [
                "ai.meeting_deleted.queue <- meeting.events meeting.deleted",
                "ai.transcript.queue <- transcript.events transcript.created",
                "meeting.cleanup.queue <- meeting.events meeting.deleted",
                "meeting.pipeline.queue <- ai.events ai.analysis.completed",
                "meeting.pipeline.queue <- todo.events todo.completed",
                "meeting.pipeline.queue <- todo.events todo.created",
                "meeting.pipeline.queue <- todo.events todo.deleted",
                "meeting.user.queue <- user.events user.*",
                "notification.ai.queue <- ai.events ai.analysis.completed",
                "notification.auth.queue <- user.events auth.email_change_requested",
                "notification.meeting.queue <- meeting.events meeting.*",
                "notification.queue <- notification.jobs notification.email",
                "notification.todo.queue <- todo.events todo.*",
                "notification.transcript.queue <- transcript.events transcript.*",
                "notification.user.queue <- user.events user.*",
                "todo.ai.queue <- ai.events ai.analysis.completed",
                "todo.meeting.queue <- meeting.events meeting.ended",
                "todo.meeting_changed.queue <- meeting.events meeting.created",
                "todo.meeting_changed.queue <- meeting.events meeting.started",
                "todo.meeting_deleted.queue <- meeting.events meeting.deleted",
                "todo.user.queue <- user.events user.*",
                "transcript.meeting.queue <- meeting.events meeting.ended",
                "transcript.meeting.queue <- meeting.events meeting.recording_added",
                "transcript.meeting_deleted.queue <- meeting.events meeting.deleted",
                "transcript.user.queue <- user.events user.*",
            ]
        );
        for b in &topology.bindings {
            assert!(topology.queues.iter().any(|q| q.name == b.queue), "{b:?}");
            assert!(topology.exchanges.contains(&b.exchange), "{b:?}");
        }
        for work_queue in ["transcript.creation.queue", "ai.processing.queue"] {
            assert!(topology.queues.iter().any(|q| q.name == work_queue));
        }
    }
}
