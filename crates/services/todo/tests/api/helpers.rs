//! `spawn_app()`: the todo service on a random port, with a fresh database
//! (`quorum_test_support::test_db`: SQLite, or PostgreSQL when `QUORUM_TEST_POSTGRES_URL`
//! is set), a broker and cache from `quorum_test_support::backends` (embedded, or RabbitMQ
//! and Redis); helpers to act as users, publish the
//! events other services would, and read what this one publishes.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use quorum_bus::{Broker, Envelope, QueueSpec};
use quorum_contracts::events::{
    ActionItemRef, AnalysisCompleted, MeetingChanged, MeetingEnded, ParticipantRef,
    AI_ANALYSIS_COMPLETED, MEETING_CREATED, MEETING_ENDED,
};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use quorum_test_support::service::{self, Served};
use quorum_test_support::{backends, temp_dir, test_db, TestDb};
use quorum_todo::{build, Deps, Settings, Todo};
use reqwest::StatusCode;
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// A test queue that sees every todo event.
pub(crate) const EVENTS_QUEUE: &str = "test.todo.events";

/// The served app (`base`, `client`, `call`, `get`, `post`, `patch` through `Deref`), its
/// broker and database.
pub(crate) struct TestApp {
    served: Served,
    pub(crate) broker: Arc<dyn Broker>,
    pub(crate) test_db: TestDb,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for TestApp {
    type Target = Served;
    fn deref(&self) -> &Served {
        &self.served
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
    let topology = Todo::topology().queue(QueueSpec::new(EVENTS_QUEUE)).bind(
        EVENTS_QUEUE,
        exchanges::TODO,
        "#",
    );
    let broker = backends::broker(dir.path(), &topology).await;
    let deps = Deps {
        db: test_db.db.clone(),
        broker: broker.clone(),
        cache: backends::cache(10_000),
    };
    // One worker per queue, so events are applied in publication order.
    let settings = Settings {
        consumers: 1,
        ..Settings::default()
    };
    let todo = build(settings, deps).await.unwrap();
    let shutdown = CancellationToken::new();
    todo.spawn_background(shutdown.clone());
    TestApp {
        served: service::serve(todo.router(), shutdown).await,
        broker,
        test_db,
        _dir: dir,
    }
}

impl TestApp {
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
        service::publish(&*self.broker, exchange, envelope).await;
    }

    /// Waits (≤ 5 s) until `check` holds.
    pub(crate) async fn eventually<F, Fut>(&self, what: &str, check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        service::eventually(Duration::from_secs(5), what, check).await;
    }

    /// A user known to the directory (through a real `user.created` event).
    pub(crate) async fn given_user(&self, name: &str) -> Uuid {
        let user = Uuid::now_v7();
        let envelope =
            service::user_created(user, name, &format!("{}@example.com", user.simple()), None);
        self.publish(exchanges::USER, &envelope).await;
        self.eventually("the directory to learn the user", || async {
            sqlx::query("SELECT 1 FROM live_users WHERE user_id = $1")
                .bind(user.to_string())
                .fetch_optional(self.test_db.db.reader())
                .await
                .unwrap()
                .is_some()
        })
        .await;
        user
    }

    /// A scheduled meeting of `owner` with `guests`, announced by `meeting.created` and
    /// handled; returns its id.
    pub(crate) async fn scheduled(&self, owner: Uuid, guests: &[Uuid]) -> Uuid {
        let meeting = Uuid::now_v7();
        self.deliver(exchanges::MEETING, &created(meeting, owner, guests))
            .await;
        meeting
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
        service::next_events(&*self.broker, EVENTS_QUEUE, n).await
    }
}

/// A `meeting.created` envelope for `meeting` owned by `owner`, inviting `guests`.
pub(crate) fn created(meeting: Uuid, owner: Uuid, guests: &[Uuid]) -> Envelope {
    let payload = MeetingChanged {
        meeting_id: meeting,
        meeting_title: "Planning".into(),
        owner_id: owner,
        scheduled_time: meeting_time(),
        participant_ids: [owner].iter().chain(guests).copied().collect(),
        occurred_at: Utc::now(),
    };
    Envelope::new(
        MEETING_CREATED,
        "quorum/meeting",
        Some(meeting.to_string()),
        SCHEMA_VERSION,
        &payload,
    )
    .unwrap()
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
        recordings: Vec::new(),
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
        section_index: None,
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
        decision_sections: vec![],
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
