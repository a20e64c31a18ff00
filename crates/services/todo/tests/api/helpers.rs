//! `spawn_app()`: the todo service on a random port, with a fresh database
//! (`quorum_test_support::test_db`: SQLite, or PostgreSQL when `QUORUM_TEST_POSTGRES_URL`
//! is set), an embedded broker and an in-memory cache; helpers to act as users, publish the
//! events other services would, and read what this one publishes.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use quorum_bus::{Broker, EmbeddedBroker, Envelope, Message, QueueSpec};
use quorum_cache::MemoryStore;
use quorum_contracts::events::{
    ActionItemRef, AnalysisCompleted, MeetingEnded, ParticipantRef, UserChanged,
    AI_ANALYSIS_COMPLETED, MEETING_ENDED, USER_CREATED,
};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use quorum_test_support::{temp_dir, test_db, TestDb};
use quorum_todo::{build, Deps, Settings, Todo};
use reqwest::{Method, StatusCode};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// A test queue that sees every todo event.
pub(crate) const EVENTS_QUEUE: &str = "test.todo.events";

pub(crate) struct TestApp {
    pub(crate) base: String,
    pub(crate) client: reqwest::Client,
    pub(crate) broker: Arc<EmbeddedBroker>,
    pub(crate) test_db: TestDb,
    shutdown: CancellationToken,
    _dir: tempfile::TempDir,
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

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

/// Wednesday 15 January 2025, 10:00 in Seoul.
pub(crate) fn meeting_time() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2025-01-15T10:00:00+09:00")
        .unwrap()
        .with_timezone(&Utc)
}

pub(crate) async fn spawn_app() -> TestApp {
    let test_db = test_db("todo").await;
    let dir = temp_dir();
    let broker = Arc::new(
        EmbeddedBroker::open(&dir.path().join("broker.db"))
            .await
            .unwrap(),
    );
    let topology = Todo::topology().queue(QueueSpec::new(EVENTS_QUEUE)).bind(
        EVENTS_QUEUE,
        exchanges::TODO,
        "#",
    );
    broker.declare(&topology).await.unwrap();
    let deps = Deps {
        db: test_db.db.clone(),
        broker: broker.clone(),
        cache: Arc::new(MemoryStore::new(10_000)),
    };
    // One worker per queue, so events are applied in publication order.
    let settings = Settings {
        consumers: 1,
        ..Settings::default()
    };
    let todo = build(settings, deps).await.unwrap();
    let shutdown = CancellationToken::new();
    todo.spawn_background(shutdown.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    let router = todo.router();
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
        broker,
        test_db,
        shutdown,
        _dir: dir,
    }
}

impl TestApp {
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
    pub(crate) async fn patch(&self, path: &str, user: Uuid, body: Value) -> Resp {
        self.call(Method::PATCH, path, Some(user), Some(body)).await
    }

    /// Creates a todo by hand; returns its JSON.
    pub(crate) async fn todo(&self, user: Uuid, body: Value) -> Value {
        let res = self.post("/api/todos", user, body).await;
        assert_eq!(res.status, StatusCode::CREATED, "{:?}", res.body);
        res.body
    }

    /// The caller's todos of `meeting` (all pages), oldest first.
    pub(crate) async fn meeting_todos(&self, user: Uuid, meeting: Uuid) -> Vec<Value> {
        let res = self
            .get(&format!("/api/todos?meetingId={meeting}&size=100"), user)
            .await;
        assert_eq!(res.status, StatusCode::OK, "{:?}", res.body);
        let mut items = res.body["items"].as_array().cloned().unwrap_or_default();
        items.reverse();
        items
    }

    pub(crate) async fn publish(&self, exchange: &str, envelope: &Envelope) {
        let msg = Message::new(envelope.id.to_string(), envelope.to_bytes());
        self.broker
            .publish(exchange, &envelope.kind, msg)
            .await
            .unwrap();
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

    /// A user known to the directory (through a real `user.created` event).
    pub(crate) async fn given_user(&self, name: &str) -> Uuid {
        let user = Uuid::now_v7();
        let payload = UserChanged {
            user_id: user,
            email: format!("{}@example.com", user.simple()),
            name: name.into(),
            locale: None,
            occurred_at: Utc::now(),
        };
        let env = Envelope::new(
            USER_CREATED,
            "quorum/identity",
            None,
            SCHEMA_VERSION,
            &payload,
        )
        .unwrap();
        self.publish(exchanges::USER, &env).await;
        self.eventually("the directory to learn the user", || async {
            sqlx::query("SELECT 1 FROM directory WHERE user_id = $1")
                .bind(user.to_string())
                .fetch_optional(self.test_db.db.reader())
                .await
                .unwrap()
                .is_some()
        })
        .await;
        user
    }

    /// Rows in the consumer inbox for `event` (1 once handled).
    pub(crate) async fn handled(&self, event: Uuid) -> bool {
        sqlx::query("SELECT 1 FROM inbox WHERE event_id = $1")
            .bind(event.to_string())
            .fetch_optional(self.test_db.db.reader())
            .await
            .unwrap()
            .is_some()
    }

    /// Publishes `envelope` and waits until a consumer has handled it.
    pub(crate) async fn deliver(&self, exchange: &str, envelope: &Envelope) {
        self.publish(exchange, envelope).await;
        self.eventually("the event to be handled", || self.handled(envelope.id))
            .await;
    }

    /// The next `n` todo events (each within 10 s), acknowledged.
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

/// A `meeting.ended` envelope for `meeting` owned by `owner`, with named participants.
pub(crate) fn ended(
    meeting: Uuid,
    owner: Uuid,
    participants: &[(Uuid, &str)],
    notes: &str,
) -> Envelope {
    let payload = MeetingEnded {
        meeting_id: meeting,
        meeting_title: "Weekly sync".into(),
        owner_id: owner,
        scheduled_time: Some(meeting_time()),
        start_time: Some(meeting_time()),
        end_time: meeting_time() + chrono::Duration::hours(1),
        participant_ids: participants.iter().map(|p| p.0).collect(),
        participants: participants
            .iter()
            .map(|(id, name)| ParticipantRef {
                user_id: *id,
                name: (*name).into(),
                email: String::new(),
            })
            .collect(),
        notes: Some(notes.into()),
        audio_file_url: None,
        occurred_at: Utc::now(),
    };
    Envelope::new(
        MEETING_ENDED,
        "quorum/meeting",
        Some(meeting.to_string()),
        SCHEMA_VERSION,
        &payload,
    )
    .unwrap()
}

/// An action item: `(title, assignee id, assignee name, due date)`.
pub(crate) fn item(
    title: &str,
    assignee_id: Option<Uuid>,
    assignee_name: Option<&str>,
    due_date: Option<&str>,
) -> ActionItemRef {
    ActionItemRef {
        title: title.into(),
        assignee_id,
        assignee_name: assignee_name.map(String::from),
        due_date: due_date.map(String::from),
        due_at: None,
    }
}

/// An `ai.analysis.completed` envelope for `meeting`.
pub(crate) fn analysis(
    meeting: Uuid,
    participants: &[Uuid],
    items: Vec<ActionItemRef>,
) -> Envelope {
    let payload = AnalysisCompleted {
        analysis_id: Uuid::now_v7(),
        meeting_id: meeting,
        transcript_id: Uuid::now_v7(),
        meeting_title: "Weekly sync".into(),
        participant_ids: participants.to_vec(),
        language: "en".into(),
        summary: "summary".into(),
        action_items: items,
        decisions: vec![],
        schedule_suggestions: vec![],
        engine: "builtin".into(),
        occurred_at: Utc::now(),
    };
    Envelope::new(
        AI_ANALYSIS_COMPLETED,
        "quorum/ai",
        Some(meeting.to_string()),
        SCHEMA_VERSION,
        &payload,
    )
    .unwrap()
}

/// `{title, assigneeId, dueDate, source}` of each todo, for compact assertions.
pub(crate) fn summary(todos: &[Value]) -> Vec<Value> {
    todos
        .iter()
        .map(|t| {
            json!({
                "title": t["title"],
                "assigneeId": t["assigneeId"],
                "dueDate": t["dueDate"],
                "source": t["source"],
            })
        })
        .collect()
}
