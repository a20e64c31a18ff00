//! `spawn_app()`: the notification service on a random port, with a fresh database
//! (`quorum_test_support::test_db`: SQLite, or PostgreSQL when `QUORUM_TEST_POSTGRES_URL`
//! is set), an embedded broker and a real SMTP sink; helpers to publish real event
//! envelopes and to wait for their effects.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use quorum_bus::{Broker, EmbeddedBroker, Envelope, Message};
use quorum_cache::MemoryStore;
use quorum_contracts::events::{MeetingChanged, MeetingEnded, UserChanged, USER_CREATED};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use quorum_notification::{build, Deps, Notification, Security, Settings, SmtpSettings};
use quorum_store::Db;
use quorum_telemetry::health::FnIndicator;
use quorum_test_support::{test_db, TestDb};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

use crate::smtp::MailSink;

pub(crate) struct TestApp {
    pub(crate) base: String,
    pub(crate) client: reqwest::Client,
    pub(crate) db: Db,
    pub(crate) broker: Arc<EmbeddedBroker>,
    /// `None` when the app runs without SMTP.
    pub(crate) sink: Option<MailSink>,
    pub(crate) health: FnIndicator,
    shutdown: CancellationToken,
    _db: TestDb,
    _dir: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// A response: status and JSON body (`Null` when empty).
#[derive(Debug)]
pub(crate) struct Resp {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
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
    let broker = Arc::new(
        EmbeddedBroker::open(&dir.path().join("broker.db"))
            .await
            .unwrap(),
    );
    broker.declare(&Notification::topology()).await.unwrap();
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
        cache: Arc::new(MemoryStore::new(1_000)),
    };
    let service = build(settings, deps).await.unwrap();
    let shutdown = CancellationToken::new();
    service.spawn_background(shutdown.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let router = service.router();
    let stop = shutdown.clone();
    tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await
            .unwrap();
    });
    TestApp {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        db: tdb.db.clone(),
        broker,
        sink,
        health: service.health(),
        shutdown,
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
        let msg = Message::new(envelope.id.to_string(), envelope.to_bytes());
        self.broker
            .publish(exchange, &envelope.kind, msg)
            .await
            .unwrap();
    }

    pub(crate) async fn publish_meeting(&self, envelope: &Envelope) {
        self.publish(exchanges::MEETING, envelope).await;
    }

    /// A user known to the contact list (through a real `user.created`).
    pub(crate) async fn given_user(&self, name: &str, email: &str, locale: Option<&str>) -> Uuid {
        let user = Uuid::now_v7();
        let payload = UserChanged {
            user_id: user,
            email: email.into(),
            name: name.into(),
            locale: locale.map(str::to_string),
            occurred_at: Utc::now(),
        };
        let envelope = Envelope::new(
            USER_CREATED,
            "quorum/identity",
            None,
            SCHEMA_VERSION,
            &payload,
        )
        .unwrap();
        self.publish(exchanges::USER, &envelope).await;
        self.eventually("the contact to be recorded", || async {
            let n: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM contacts WHERE user_id = $1")
                .bind(user.to_string())
                .fetch_one(self.db.reader())
                .await
                .unwrap();
            n == 1
        })
        .await;
        user
    }

    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        user: Option<Uuid>,
        body: Option<Value>,
    ) -> Resp {
        let mut req = self.client.request(method, format!("{}{path}", self.base));
        if let Some(u) = user {
            req = req.header("x-quorum-user-id", u.to_string());
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.unwrap();
        let status = res.status();
        let bytes = res.bytes().await.unwrap();
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Resp { status, body }
    }

    pub(crate) async fn get(&self, path: &str, user: Uuid) -> Resp {
        self.call(Method::GET, path, Some(user), None).await
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
    pub(crate) async fn eventually<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        for _ in 0..300 {
            if check().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out waiting for {what}");
    }
}
