//! `spawn_app()`: the AI service on a random port with a fresh database (SQLite in a
//! tempdir, or PostgreSQL when `QUORUM_TEST_POSTGRES_URL` is set), a broker and task store
//! from `quorum_test_support::backends` (embedded, or RabbitMQ and Redis); plus helpers to publish transcripts, act as users and
//! read published events.

use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use chrono::{TimeZone, Utc};
use quorum_ai::engine::{
    ActionItem, Analysis, AnalysisEngine, AnalysisInput, EngineError, ScheduleSuggestion,
};
use quorum_ai::{build_with_engine, Ai, Deps, Settings};
use quorum_bus::{Broker, Envelope, QueueSpec, Topology};
use quorum_contracts::events::{ParticipantRef, SectionRef, TranscriptCreated, TRANSCRIPT_CREATED};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use quorum_store::Db;
use quorum_test_support::backends;
use quorum_test_support::service::{self, Resp, Served};
use reqwest::StatusCode;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// A test queue that sees every AI event.
pub(crate) const EVENTS_QUEUE: &str = "test.ai.events";

/// The served app (`base`, `client`, `call`, `get`, `post` through `Deref`), its database
/// and broker.
pub(crate) struct TestApp {
    served: Served,
    pub(crate) db: Db,
    pub(crate) broker: Arc<dyn Broker>,
    _db: quorum_test_support::TestDb,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for TestApp {
    type Target = Served;
    fn deref(&self) -> &Served {
        &self.served
    }
}

/// A deterministic engine: one action item for the first participant, one decision and one
/// suggestion whose title needs escaping and folding. `delay` makes it slow.
pub(crate) struct StubEngine {
    pub(crate) delay: Duration,
}

#[async_trait]
impl AnalysisEngine for StubEngine {
    fn name(&self) -> &str {
        "builtin"
    }
    async fn analyze(&self, input: &AnalysisInput) -> Result<Analysis, EngineError> {
        tokio::time::sleep(self.delay).await;
        let first = input.participants.first();
        Ok(Analysis {
            summary: format!("Summary of {}", input.meeting_title),
            action_items: vec![ActionItem {
                title: "Write the report".into(),
                assignee_id: first.map(|p| p.id),
                assignee_name: first.map(|p| p.name.clone()),
                due_date: chrono::NaiveDate::from_ymd_opt(2025, 3, 7),
                due_at: None,
                section_index: Some(1),
            }],
            decisions: vec!["Ship on Friday".into()],
            decision_sections: vec![Some(0)],
            schedule_suggestions: vec![ScheduleSuggestion {
                title: "후속 회의: 예산, 일정; 그리고 남은 결정 사항을 모두 정리하는 아주 긴 제목"
                    .into(),
                start: Utc.with_ymd_and_hms(2025, 3, 10, 1, 0, 0).unwrap(),
                duration_minutes: 45,
                participant_ids: input.participants.iter().map(|p| p.id).collect(),
                reason: "Open questions\nremain".into(),
            }],
        })
    }
}

/// An engine that always fails.
pub(crate) struct FailingEngine;

#[async_trait]
impl AnalysisEngine for FailingEngine {
    fn name(&self) -> &str {
        "failing"
    }
    async fn analyze(&self, _: &AnalysisInput) -> Result<Analysis, EngineError> {
        Err(EngineError::InvalidInput("nothing was said".into()))
    }
}

pub(crate) fn stub() -> Arc<dyn AnalysisEngine> {
    Arc::new(StubEngine {
        delay: Duration::ZERO,
    })
}

/// The service with the stub engine and default settings.
pub(crate) async fn spawn_app() -> TestApp {
    spawn_with(Settings::default(), stub()).await
}

pub(crate) async fn spawn_with(settings: Settings, engine: Arc<dyn AnalysisEngine>) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let test_db = quorum_test_support::test_db("ai").await;
    let db = test_db.db.clone();
    let topology = Ai::topology_for(&settings)
        .merge(Topology::new().exchange(exchanges::TRANSCRIPT))
        .queue(QueueSpec::new(EVENTS_QUEUE))
        .bind(EVENTS_QUEUE, exchanges::AI, "#");
    let broker = backends::broker(dir.path(), &topology).await;
    let deps = Deps {
        db: db.clone(),
        broker: broker.clone(),
        tasks: backends::task_store(),
    };
    let ai = build_with_engine(settings, deps, engine).await.unwrap();
    let shutdown = CancellationToken::new();
    ai.spawn_background(shutdown.clone());
    TestApp {
        served: service::serve(ai.router(), shutdown).await,
        db,
        broker,
        _db: test_db,
        _dir: dir,
    }
}

/// People in a meeting: the owner first.
pub(crate) struct People {
    pub(crate) owner: Uuid,
    pub(crate) guest: Uuid,
    pub(crate) outsider: Uuid,
}

impl People {
    pub(crate) fn new() -> Self {
        Self {
            owner: Uuid::now_v7(),
            guest: Uuid::now_v7(),
            outsider: Uuid::now_v7(),
        }
    }
}

/// A `transcript.created` payload for a new meeting of `people` (English notes).
pub(crate) fn transcript(people: &People) -> TranscriptCreated {
    let participants = vec![
        ParticipantRef {
            user_id: people.owner,
            name: "Alice Kim".into(),
            email: "alice@example.com".into(),
        },
        ParticipantRef {
            user_id: people.guest,
            name: "Bob Lee".into(),
            email: String::new(),
        },
    ];
    let lines = [
        ("Alice Kim", "We agreed to ship the release on Friday."),
        ("Bob Lee", "I will write the release notes by Thursday."),
        (
            "Alice Kim",
            "Let's meet again next Monday at 10 to review the launch.",
        ),
    ];
    TranscriptCreated {
        transcript_id: Uuid::now_v7(),
        meeting_id: Uuid::now_v7(),
        meeting_title: "Launch review".into(),
        owner_id: people.owner,
        participant_ids: vec![people.owner, people.guest],
        participants,
        language: "en".into(),
        source: "NOTES".into(),
        meeting_date: Utc.with_ymd_and_hms(2025, 3, 3, 1, 0, 0).unwrap(),
        sections: lines
            .iter()
            .enumerate()
            .map(|(i, (speaker, text))| SectionRef {
                index: u32::try_from(i).unwrap(),
                speaker: Some((*speaker).into()),
                speaker_id: None,
                start_ms: None,
                end_ms: None,
                text: (*text).into(),
            })
            .collect(),
        occurred_at: Utc::now(),
    }
}

pub(crate) fn envelope(t: &TranscriptCreated) -> Envelope {
    Envelope::new(
        TRANSCRIPT_CREATED,
        "quorum/transcript",
        Some(t.meeting_id.to_string()),
        SCHEMA_VERSION,
        t,
    )
    .unwrap()
}

impl TestApp {
    /// Publishes `envelope` on `transcript.events`, as the transcript service would.
    pub(crate) async fn publish(&self, envelope: &Envelope) {
        service::publish(&*self.broker, exchanges::TRANSCRIPT, envelope).await;
    }

    /// Publishes a transcript and waits until its automatic analysis is readable.
    pub(crate) async fn analysed(&self, t: &TranscriptCreated) -> Value {
        self.publish(&envelope(t)).await;
        let path = format!("/api/ai/meetings/{}/analysis", t.meeting_id);
        let mut last = None;
        for _ in 0..200 {
            let res = self.get(&path, t.owner_id).await;
            if res.status == StatusCode::OK {
                return res.body;
            }
            last = Some(res);
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("no analysis within 10 s: {last:?}");
    }

    pub(crate) async fn count(&self, sql: &str) -> i64 {
        sqlx::query_scalar(sql)
            .fetch_one(self.db.reader())
            .await
            .unwrap()
    }

    pub(crate) async fn depth(&self, queue: &str) -> u64 {
        self.broker.queue_depth(queue).await.unwrap()
    }

    /// Waits (≤ 10 s) until `check` holds.
    pub(crate) async fn eventually<F, Fut>(&self, what: &str, check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        service::eventually(Duration::from_secs(10), what, check).await;
    }

    /// The next `n` AI events (each within 10 s), acknowledged.
    pub(crate) async fn events(&self, n: usize) -> Vec<Envelope> {
        service::next_events(&*self.broker, EVENTS_QUEUE, n).await
    }

    /// Polls a task until it is terminal; returns every status seen and the last response.
    pub(crate) async fn poll(&self, status_url: &str, user: Uuid) -> (Vec<String>, Resp) {
        let mut seen: Vec<String> = Vec::new();
        for _ in 0..400 {
            let res = self.get(status_url, user).await;
            let status = res.body["status"].as_str().unwrap_or_default().to_string();
            if seen.last() != Some(&status) {
                seen.push(status.clone());
            }
            if status == "COMPLETED" || status == "FAILED" {
                return (seen, res);
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!("task {status_url} did not finish: {seen:?}");
    }
}
