//! `spawn_app()`: the meeting service on a random port, with a fresh database (SQLite in a
//! tempdir, or PostgreSQL when `QUORUM_TEST_POSTGRES_URL` is set), an embedded broker and an
//! in-memory cache, plus helpers to act as users and to read published events.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use quorum_bus::{Broker, EmbeddedBroker, Envelope, Message, QueueSpec, Topology};
use quorum_cache::MemoryStore;
use quorum_contracts::events::{UserChanged, UserDeleted, USER_CREATED};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use quorum_meeting::{build, Deps, Meeting, Settings};
use quorum_store::{Db, DbOptions};
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// A test queue that sees every meeting event.
pub(crate) const EVENTS_QUEUE: &str = "test.meeting.events";

pub(crate) struct TestApp {
    pub(crate) base: String,
    pub(crate) client: reqwest::Client,
    pub(crate) db: Db,
    pub(crate) broker: Arc<EmbeddedBroker>,
    shutdown: CancellationToken,
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

impl Resp {
    pub(crate) fn detail(&self) -> &str {
        self.body["detail"].as_str().unwrap_or_default()
    }
}

async fn database(dir: &std::path::Path) -> Db {
    let Ok(url) = std::env::var("QUORUM_TEST_POSTGRES_URL") else {
        return Db::open_sqlite(&dir.join("meeting.db"), &DbOptions::default())
            .await
            .unwrap();
    };
    let admin = Db::connect(&url, &DbOptions::default()).await.unwrap();
    let name = format!("meeting_test_{}", Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(admin.writer())
        .await
        .unwrap();
    admin.close().await;
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&url);
    Db::connect(&format!("{base}/{name}"), &DbOptions::default())
        .await
        .unwrap()
}

pub(crate) async fn spawn_app() -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let db = database(dir.path()).await;
    let broker = Arc::new(
        EmbeddedBroker::open(&dir.path().join("broker.db"))
            .await
            .unwrap(),
    );
    let topology = Meeting::topology()
        .merge(Topology::new().exchange(exchanges::USER))
        .queue(QueueSpec::new(EVENTS_QUEUE))
        .bind(EVENTS_QUEUE, exchanges::MEETING, "#");
    broker.declare(&topology).await.unwrap();
    let deps = Deps {
        db: db.clone(),
        broker: broker.clone(),
        cache: Arc::new(MemoryStore::new(10_000)),
    };
    // One directory worker, so user events are applied in publication order.
    let settings = Settings {
        directory_consumers: 1,
    };
    let meeting = build(settings, deps).await.unwrap();
    let shutdown = CancellationToken::new();
    meeting.spawn_background(shutdown.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let router = meeting.router();
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
        db,
        broker,
        shutdown,
        _dir: dir,
    }
}

impl TestApp {
    /// A request as `user` (no identity header when `None`).
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
    pub(crate) async fn post(&self, path: &str, user: Uuid, body: Value) -> Resp {
        self.call(Method::POST, path, Some(user), Some(body)).await
    }
    pub(crate) async fn put(&self, path: &str, user: Uuid, body: Value) -> Resp {
        self.call(Method::PUT, path, Some(user), Some(body)).await
    }

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
        let msg = Message::new(envelope.id.to_string(), envelope.to_bytes());
        self.broker
            .publish(exchanges::USER, &envelope.kind, msg)
            .await
            .unwrap();
    }

    pub(crate) fn user_envelope(kind: &str, user: Uuid, name: &str, email: &str) -> Envelope {
        let payload = UserChanged {
            user_id: user,
            email: email.into(),
            name: name.into(),
            locale: Some("ko".into()),
            occurred_at: Utc::now(),
        };
        Envelope::new(
            kind,
            "quorum/identity",
            Some(user.to_string()),
            SCHEMA_VERSION,
            &payload,
        )
        .unwrap()
    }

    pub(crate) fn deleted_envelope(user: Uuid) -> Envelope {
        let payload = UserDeleted {
            user_id: user,
            occurred_at: Utc::now(),
        };
        Envelope::new(
            "user.deleted",
            "quorum/identity",
            Some(user.to_string()),
            SCHEMA_VERSION,
            &payload,
        )
        .unwrap()
    }

    /// The directory's name for `user`, if it has one.
    pub(crate) async fn directory_name(&self, user: Uuid) -> Option<String> {
        sqlx::query_scalar("SELECT name FROM directory WHERE user_id = $1")
            .bind(user.to_string())
            .fetch_optional(self.db.reader())
            .await
            .unwrap()
    }

    /// Waits (≤ 5 s) until `check` holds.
    pub(crate) async fn eventually<F, Fut>(&self, what: &str, mut check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        for _ in 0..100 {
            if check().await {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out waiting for {what}");
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
        let mut consumer = self.broker.consume(EVENTS_QUEUE, 16).await.unwrap();
        let mut out = Vec::new();
        while out.len() < n {
            let delivery = tokio::time::timeout(Duration::from_secs(10), consumer.next())
                .await
                .expect("an event within 10 s")
                .expect("consumer open")
                .unwrap();
            out.push(Envelope::from_bytes(&delivery.message().body).unwrap());
            delivery.ack().await.unwrap();
        }
        out
    }
}
