//! `spawn_app()`: the notification service on a random port, with a fresh database
//! (`quorum_test_support::test_db`: SQLite, or PostgreSQL when `QUORUM_TEST_POSTGRES_URL`
//! is set), a broker and cache from `quorum_test_support::backends` (embedded, or RabbitMQ
//! and Redis) and a real SMTP sink; helpers to publish real event
//! envelopes and to wait for their effects.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use quorum_bus::{Broker, Envelope};
use quorum_contracts::events::{MeetingChanged, MeetingEnded};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use quorum_notification::{build, Deps, Notification, Security, Settings, SmtpSettings};
use quorum_store::Db;
use quorum_telemetry::health::FnIndicator;
pub(crate) use quorum_test_support::service::Resp;
use quorum_test_support::service::{self, Served};
use quorum_test_support::{backends, test_db, TestDb};
use reqwest::StatusCode;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::smtp::MailSink;

/// The served app (`base`, `client`, `call`, `get` through `Deref`), its database, broker
/// and mail sink.
pub(crate) struct TestApp {
    served: Served,
    pub(crate) db: Db,
    pub(crate) broker: Arc<dyn Broker>,
    /// `None` when the app runs without SMTP.
    pub(crate) sink: Option<MailSink>,
    pub(crate) health: FnIndicator,
    _db: TestDb,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for TestApp {
    type Target = Served;
    fn deref(&self) -> &Served {
        &self.served
    }
}

/// The app with a well-behaved SMTP sink.
pub(crate) async fn spawn_app() -> TestApp {
    spawn_with(Some(&[])).await
}

/// The app with a sink started with `sink_args`, or without SMTP at all (`None`).
pub(crate) async fn spawn_with(sink_args: Option<&[&str]>) -> TestApp {
    let sink = match sink_args {
        Some(args) => Some(MailSink::start(args).await),
        None => None,
    };
    let tdb = test_db("notification").await;
    let dir = quorum_test_support::temp_dir();
    let broker = backends::broker(dir.path(), &Notification::topology()).await;
    let smtp = SmtpSettings {
        host: sink.as_ref().map(|_| "127.0.0.1".to_string()),
        port: sink.as_ref().map_or(25, |s| s.port),
        security: Security::None,
        timeout_ms: 5_000,
        from: "Quorum <no-reply@quorum.test>".into(),
        ..SmtpSettings::default()
    };
    // One consumer per queue, so events are handled in publication order; fast retries.
    let settings = Settings {
        smtp,
        public_url: "https://quorum.test/".into(),
        workers: 2,
        consumers: 1,
        retry_base_ms: 100,
        retry_max_ms: 400,
    };
    let deps = Deps {
        db: tdb.db.clone(),
        broker: broker.clone(),
        cache: backends::cache(1_000),
    };
    let service = build(settings, deps).await.unwrap();
    let shutdown = CancellationToken::new();
    service.spawn_background(shutdown.clone());
    TestApp {
        health: service.health(),
        served: service::serve(service.router(), shutdown).await,
        db: tdb.db.clone(),
        broker,
        sink,
        _db: tdb,
        _dir: dir,
    }
}

/// A `meeting.ended` envelope for `participants` (owner first).
pub(crate) fn meeting_ended(title: &str, participants: &[Uuid]) -> Envelope {
    let now = Utc::now();
    let payload = MeetingEnded {
        meeting_id: Uuid::now_v7(),
        meeting_title: title.into(),
        owner_id: participants[0],
        scheduled_time: Some(now),
        start_time: Some(now),
        end_time: now,
        participant_ids: participants.to_vec(),
        participants: vec![],
        notes: None,
        audio_file_url: None,
        recordings: Vec::new(),
        occurred_at: now,
    };
    Envelope::new(
        "meeting.ended",
        "quorum/meeting",
        None,
        SCHEMA_VERSION,
        &payload,
    )
    .unwrap()
}

/// A `meeting.created` envelope.
pub(crate) fn meeting_created(title: &str, owner: Uuid, participants: &[Uuid]) -> Envelope {
    let payload = MeetingChanged {
        meeting_id: Uuid::now_v7(),
        meeting_title: title.into(),
        owner_id: owner,
        scheduled_time: Utc::now(),
        participant_ids: participants.to_vec(),
        occurred_at: Utc::now(),
    };
    Envelope::new(
        "meeting.created",
        "quorum/meeting",
        None,
        SCHEMA_VERSION,
        &payload,
    )
    .unwrap()
}

impl TestApp {
    pub(crate) fn sink(&self) -> &MailSink {
        self.sink.as_ref().expect("this app has a mail sink")
    }

    /// Publishes `envelope` on `exchange` (routing key = its type), as its service would.
    pub(crate) async fn publish(&self, exchange: &str, envelope: &Envelope) {
        service::publish(&*self.broker, exchange, envelope).await;
    }

    pub(crate) async fn publish_meeting(&self, envelope: &Envelope) {
        self.publish(exchanges::MEETING, envelope).await;
    }

    /// A user known to the contact list (through a real `user.created`).
    pub(crate) async fn given_user(&self, name: &str, email: &str, locale: Option<&str>) -> Uuid {
        let user = Uuid::now_v7();
        let envelope = service::user_created(user, name, email, locale);
        self.publish(exchanges::USER, &envelope).await;
        self.eventually("the contact to be recorded", || async {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM live_users WHERE user_id = $1")
                .bind(user.to_string())
                .fetch_one(self.db.reader())
                .await
                .unwrap();
            n == 1
        })
        .await;
        user
    }

    /// `user`'s notifications (first page, 100 per page).
    pub(crate) async fn notifications(&self, user: Uuid) -> Vec<Value> {
        let res = self.get("/api/notifications?size=100", user).await;
        assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
        res.body["items"].as_array().unwrap().clone()
    }

    /// Waits until `user` has at least `n` notifications; returns them.
    pub(crate) async fn wait_notifications(&self, user: Uuid, n: usize) -> Vec<Value> {
        self.eventually("notifications", || async {
            self.notifications(user).await.len() >= n
        })
        .await;
        self.notifications(user).await
    }

    /// The states of `user`'s e-mail deliveries.
    pub(crate) async fn delivery_states(&self, user: Uuid) -> Vec<String> {
        sqlx::query_scalar("SELECT state FROM deliveries WHERE user_id = $1 ORDER BY created_at")
            .bind(user.to_string())
            .fetch_all(self.db.reader())
            .await
            .unwrap()
    }

    /// Attempt outcomes recorded for `user`'s deliveries, in order.
    pub(crate) async fn attempts(&self, user: Uuid) -> Vec<String> {
        sqlx::query_scalar(
            "SELECT a.outcome FROM attempts a JOIN deliveries d ON d.id = a.delivery_id \
             WHERE d.user_id = $1 ORDER BY a.seq",
        )
        .bind(user.to_string())
        .fetch_all(self.db.reader())
        .await
        .unwrap()
    }

    /// Waits (≤ 15 s) until `check` holds.
    pub(crate) async fn eventually<F, Fut>(&self, what: &str, check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        service::eventually(Duration::from_secs(15), what, check).await;
    }
}
