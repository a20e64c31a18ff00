//! `spawn_app()`: the meeting service on a random port, with a fresh database
//! (`quorum_test_support::test_db`: SQLite, or PostgreSQL when `QUORUM_TEST_POSTGRES_URL`
//! is set), a broker and cache from `quorum_test_support::backends` (embedded, or RabbitMQ
//! and Redis), plus helpers to act as users and to read published events.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use quorum_bus::{Broker, Envelope, QueueSpec, Topology};
use quorum_contracts::events::USER_CREATED;
use quorum_contracts::exchanges;
use quorum_meeting::{build, Deps, Meeting, Settings};
use quorum_store::Db;
pub(crate) use quorum_test_support::service::Resp;
use quorum_test_support::service::{self, Served};
use quorum_test_support::users;
use quorum_test_support::{backends, temp_dir, test_db, TestDb};
use reqwest::StatusCode;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// A test queue that sees every meeting event.
pub(crate) const EVENTS_QUEUE: &str = "test.meeting.events";

/// The served app (`base`, `client`, `call`, `get`, `post`, `put` through `Deref`) and its
/// database and broker.
pub(crate) struct TestApp {
    served: Served,
    pub(crate) db: Db,
    pub(crate) broker: Arc<dyn Broker>,
    /// `Deps::recordings_dir`.
    pub(crate) recordings_dir: PathBuf,
    _db: TestDb,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for TestApp {
    type Target = Served;
    fn deref(&self) -> &Served {
        &self.served
    }
}

pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// [`spawn_app`] with `configure` applied to the settings.
pub(crate) async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    let test_db = test_db("meeting").await;
    let db = test_db.db.clone();
    let dir = temp_dir();
    let topology = Meeting::topology()
        .merge(Topology::new().exchange(exchanges::USER))
        .queue(QueueSpec::new(EVENTS_QUEUE))
        .bind(EVENTS_QUEUE, exchanges::MEETING, "#");
    let broker = backends::broker(dir.path(), &topology).await;
    let recordings_dir = dir.path().join("recordings");
    let deps = Deps {
        db: db.clone(),
        broker: broker.clone(),
        cache: backends::cache(10_000),
        recordings_dir: recordings_dir.clone(),
    };
    // One directory worker, so user events are applied in publication order.
    let mut settings = Settings {
        directory_consumers: 1,
        ..Settings::default()
    };
    configure(&mut settings);
    let meeting = build(settings, deps).await.unwrap();
    let shutdown = CancellationToken::new();
    meeting.spawn_background(shutdown.clone());
    TestApp {
        served: service::serve(meeting.router(), shutdown).await,
        db,
        broker,
        recordings_dir,
        _db: test_db,
        _dir: dir,
    }
}

impl TestApp {
    /// Creates a meeting as `owner` with `participants`; returns its JSON.
    pub(crate) async fn meeting(&self, owner: Uuid, title: &str, participants: &[Uuid]) -> Value {
        let res = self
            .post(
                "/api/meetings",
                owner,
                serde_json::json!({
                    "title": title,
                    "scheduledAt": "2025-03-01T10:00:00+09:00",
                    "participantIds": participants,
                }),
            )
            .await;
        assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
        res.body
    }

    /// Publishes `envelope` on `user.events`, as the identity service would.
    pub(crate) async fn publish_user_event(&self, envelope: &Envelope) {
        service::publish(&*self.broker, exchanges::USER, envelope).await;
    }

    pub(crate) fn user_envelope(kind: &str, user: Uuid, name: &str, email: &str) -> Envelope {
        users::changed(kind, user, name, email, Utc::now())
    }

    pub(crate) fn deleted_envelope(user: Uuid) -> Envelope {
        users::deleted(user, Utc::now())
    }

    /// The directory's name for `user`, if it has one.
    pub(crate) async fn directory_name(&self, user: Uuid) -> Option<String> {
        sqlx::query_scalar("SELECT name FROM live_users WHERE user_id = $1")
            .bind(user.to_string())
            .fetch_optional(self.db.reader())
            .await
            .unwrap()
    }

    /// Waits (≤ 5 s) until `check` holds.
    pub(crate) async fn eventually<F, Fut>(&self, what: &str, check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        service::eventually(Duration::from_secs(5), what, check).await;
    }

    /// A registered user, known to the directory (through a real `user.created` event).
    pub(crate) async fn given_user(&self, name: &str, email: &str) -> Uuid {
        let user = Uuid::now_v7();
        self.publish_user_event(&Self::user_envelope(USER_CREATED, user, name, email))
            .await;
        let expected = name.to_string();
        self.eventually("the directory to learn the user", || async {
            self.directory_name(user).await.as_deref() == Some(expected.as_str())
        })
        .await;
        user
    }

    /// The next `n` meeting events (each within 10 s), acknowledged.
    pub(crate) async fn events(&self, n: usize) -> Vec<Envelope> {
        service::next_events(&*self.broker, EVENTS_QUEUE, n).await
    }
}
