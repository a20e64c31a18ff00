//! Builds the six services over the shared backends of this process.

use std::path::Path;
use std::sync::Arc;

use anyhow::Context;
use axum::Router;
use quorum_auth::RevocationList;
use quorum_bus::{Broker, Topology};
use quorum_cache::CacheStore;
use quorum_store::{Db, DbOptions};
use quorum_tasks::TaskStore;
use quorum_telemetry::health::FnIndicator;
use quorum_telemetry::{Health, HealthIndicator};
use tokio::task::JoinHandle;
use tokio_util::sync::CancellationToken;
use utoipa::openapi::OpenApi;

use crate::plan::Plan;
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
/// work (none for `--role read`).
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
    let bg = plan.role().runs_background();

    if plan.runs("identity") {
        let db = open_db(settings, data, "identity").await?;
        let identity = quorum_identity::build(
            settings.identity.clone(),
            quorum_identity::Deps {
                db: db.clone(),
                broker: b.broker.clone(),
                cache: b.cache.clone(),
                revocations: b.revocations.clone(),
            },
        )
        .await
        .context("starting the identity service")?;
        if bg {
            background.extend(identity.spawn_background(b.broker.clone(), stop.child_token()));
        } else {
            // Reads only, but the JWKS it serves must follow the writers' key rotation.
            background.push(identity.spawn_key_refresh(stop.child_token()));
        }
        running.push(Running {
            name: "identity",
            router: identity.router(),
            db,
        });
    }

    if plan.runs("meeting") {
        let db = open_db(settings, data, "meeting").await?;
        let meeting = quorum_meeting::build(
            settings.meeting.clone(),
            quorum_meeting::Deps {
                db: db.clone(),
                broker: b.broker.clone(),
                cache: b.cache.clone(),
                recordings_dir: settings
                    .meeting
                    .recordings_dir
                    .clone()
                    .unwrap_or_else(|| data.join("recordings")),
            },
        )
        .await
        .context("starting the meeting service")?;
        if bg {
            background.extend(meeting.spawn_background(stop.child_token()));
        }
        running.push(Running {
            name: "meeting",
            router: meeting.router(),
            db,
        });
    }

    if plan.runs("transcript") {
        let db = open_db(settings, data, "transcript").await?;
        let ts = &settings.transcript;
        let stt =
            quorum_transcript::engine_from_settings(&ts.stt, &data.join("models"), ts.stt_workers)
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
        let transcript = quorum_transcript::build(
            ts.clone(),
            quorum_transcript::Deps {
                db: db.clone(),
                broker: b.broker.clone(),
                cache: b.cache.clone(),
                tasks: b.tasks.clone(),
                stt: stt.clone(),
                chunks_dir,
            },
        )
        .await
        .context("starting the transcript service")?;
        indicators.push(Arc::new(
            FnIndicator::new("speechToText", move || {
                let stt = stt.clone();
                async move {
                    let health = match stt.ready().await {
                        Ok(()) => Health::up(),
                        Err(e) => Health::down(e),
                    };
                    health
                        .with_detail("engine", stt.name())
                        .with_detail("configured", stt.configured())
                }
            })
            .informational(),
        ));
        if bg {
            background.extend(transcript.spawn_background(stop.child_token()));
        }
        running.push(Running {
            name: "transcript",
            router: transcript.router(),
            db,
        });
    }

    if plan.runs("ai") {
        let db = open_db(settings, data, "ai").await?;
        let ai = quorum_ai::build(
            settings.ai.clone(),
            quorum_ai::Deps {
                db: db.clone(),
                broker: b.broker.clone(),
                cache: b.cache.clone(),
                tasks: b.tasks.clone(),
            },
        )
        .await
        .context("starting the ai service")?;
        if bg {
            background.extend(ai.spawn_background(stop.child_token()));
        }
        running.push(Running {
            name: "ai",
            router: ai.router(),
            db,
        });
        let ai = Arc::new(ai);
        indicators.push(Arc::new(
            FnIndicator::new("aiEngine", move || {
                let ai = ai.clone();
                async move { ai.ready().await }
            })
            .informational(),
        ));
    }

    if plan.runs("todo") {
        let db = open_db(settings, data, "todo").await?;
        let todo = quorum_todo::build(
            settings.todo.clone(),
            quorum_todo::Deps {
                db: db.clone(),
                broker: b.broker.clone(),
                cache: b.cache.clone(),
            },
        )
        .await
        .context("starting the todo service")?;
        if bg {
            background.extend(todo.spawn_background(stop.child_token()));
        }
        running.push(Running {
            name: "todo",
            router: todo.router(),
            db,
        });
    }

    if plan.runs("notification") {
        let db = open_db(settings, data, "notification").await?;
        let notification = quorum_notification::build(
            settings.notification.clone(),
            quorum_notification::Deps {
                db: db.clone(),
                broker: b.broker.clone(),
                cache: b.cache.clone(),
            },
        )
        .await
        .context("starting the notification service")?;
        if bg {
            background.extend(notification.spawn_background(stop.child_token()));
        } else {
            background.push(notification.spawn_stream_closer(stop.child_token()));
        }
        indicators.push(Arc::new(notification.health()));
        running.push(Running {
            name: "notification",
            router: notification.router(),
            db,
        });
    }

    Ok(Assembled {
        running,
        background,
        indicators,
    })
}
