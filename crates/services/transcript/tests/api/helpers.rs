//! `spawn_app()`: the transcript service on a random port, with a fresh database (SQLite in a
//! tempdir, or PostgreSQL when `QUORUM_TEST_POSTGRES_URL` is set), a broker, cache and task
//! store from `quorum_test_support::backends` (embedded, or RabbitMQ and Redis), plus helpers to publish the events other services would
//! and to read the events this one publishes.

use std::sync::Arc;
use std::time::Duration;

use chrono::{TimeZone, Utc};
use quorum_bus::{Broker, Envelope, Message, QueueSpec, Topology};
use quorum_contracts::events::{MeetingEnded, ParticipantRef};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use quorum_test_support::service::{self, Served};
use quorum_test_support::{backends, temp_dir, test_db, TestDb};
use quorum_transcript::{build, Deps, Settings, SpeechToText, Transcript, Unconfigured};
use reqwest::StatusCode;
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// A test queue that sees every transcript event.
pub(crate) const EVENTS_QUEUE: &str = "test.transcript.events";

/// The served app (`base`, `client`, `call`, `get`, `post`, `put` through `Deref`), its
/// database and broker.
pub(crate) struct TestApp {
    served: Served,
    pub(crate) db: TestDb,
    pub(crate) broker: Arc<dyn Broker>,
    pub(crate) dir: tempfile::TempDir,
    shutdown: CancellationToken,
}

impl std::ops::Deref for TestApp {
    type Target = Served;
    fn deref(&self) -> &Served {
        &self.served
    }
}

pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with(Arc::new(Unconfigured)).await
}

pub(crate) async fn spawn_app_with(stt: Arc<dyn SpeechToText>) -> TestApp {
    let db = test_db("transcript").await;
    let dir = temp_dir();
    let topology = Transcript::topology()
        .merge(Topology::new().exchange(exchanges::TRANSCRIPT))
        .queue(QueueSpec::new(EVENTS_QUEUE))
        .bind(EVENTS_QUEUE, exchanges::TRANSCRIPT, "#");
    let broker = backends::broker(dir.path(), &topology).await;
    start(db, broker, dir, stt).await
}

/// Where the service keeps chunk audio in these tests.
pub(crate) fn chunks_dir(dir: &tempfile::TempDir) -> std::path::PathBuf {
    dir.path().join("stt-chunks")
}

async fn start(
    db: TestDb,
    broker: Arc<dyn Broker>,
    dir: tempfile::TempDir,
    stt: Arc<dyn SpeechToText>,
) -> TestApp {
    let deps = Deps {
        db: db.db.clone(),
        broker: broker.clone(),
        cache: backends::cache(10_000),
        tasks: backends::task_store(),
        stt,
        chunks_dir: chunks_dir(&dir),
    };
    // One consumer each, so events are handled in publication order.
    let settings = Settings {
        stt_workers: 1,
        meeting_consumers: 1,
        directory_consumers: 1,
        ..Settings::default()
    };
    let service = build(settings, deps).await.unwrap();
    let shutdown = CancellationToken::new();
    service.spawn_background(shutdown.clone());
    TestApp {
        served: service::serve(service.router(), shutdown.clone()).await,
        db,
        broker,
        dir,
        shutdown,
    }
}

impl TestApp {
    /// Stops this instance and starts the service again on the same database, broker and
    /// files, with `stt` (the task store starts empty, as after a restart).
    pub(crate) async fn restart_with(self, stt: Arc<dyn SpeechToText>) -> TestApp {
        let TestApp {
            served,
            db,
            broker,
            dir,
            shutdown,
        } = self;
        shutdown.cancel();
        drop(served);
        tokio::time::sleep(Duration::from_millis(200)).await;
        start(db, broker, dir, stt).await
    }
}

/// A meeting as the meeting service would describe it when it ends.
pub(crate) fn ended(
    owner: Uuid,
    people: &[(Uuid, &str)],
    notes: Option<&str>,
    audio: Option<&str>,
) -> MeetingEnded {
    let participants: Vec<ParticipantRef> = people
        .iter()
        .map(|(id, name)| ParticipantRef {
            user_id: *id,
            name: (*name).into(),
            email: format!("{id}@example.com"),
        })
        .collect();
    MeetingEnded {
        meeting_id: Uuid::now_v7(),
        meeting_title: "Weekly sync".into(),
        owner_id: owner,
        scheduled_time: Some(Utc.with_ymd_and_hms(2025, 3, 3, 1, 0, 0).unwrap()),
        start_time: None,
        end_time: Utc::now(),
        participant_ids: participants.iter().map(|p| p.user_id).collect(),
        participants,
        notes: notes.map(str::to_string),
        audio_file_url: audio.map(str::to_string),
        recordings: Vec::new(),
        occurred_at: Utc::now(),
    }
}

pub(crate) fn envelope(e: &MeetingEnded) -> Envelope {
    envelope_of("meeting.ended", e)
}

pub(crate) fn envelope_of(kind: &str, e: &MeetingEnded) -> Envelope {
    Envelope::new(
        kind,
        "quorum/meeting",
        Some(e.meeting_id.to_string()),
        SCHEMA_VERSION,
        e,
    )
    .unwrap()
}

impl TestApp {
    pub(crate) async fn publish(&self, exchange: &str, envelope: &Envelope) {
        service::publish(&*self.broker, exchange, envelope).await;
    }

    /// Publishes `meeting.ended` for `e` (a fresh envelope).
    pub(crate) async fn end_meeting(&self, e: &MeetingEnded) -> Envelope {
        let env = envelope(e);
        self.publish(exchanges::MEETING, &env).await;
        env
    }

    /// Waits (≤ 10 s) until `check` holds.
    pub(crate) async fn eventually<F, Fut>(&self, what: &str, check: F)
    where
        F: FnMut() -> Fut,
        Fut: std::future::Future<Output = bool>,
    {
        service::eventually(Duration::from_secs(10), what, check).await;
    }

    /// The first response to `GET path` as `user` with `status` (within 10 s).
    pub(crate) async fn poll(&self, path: &str, user: Uuid, status: StatusCode) -> Value {
        for _ in 0..200 {
            let res = self.get(path, user).await;
            if res.status == status {
                return res.body;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("timed out waiting for {status} from {path}");
    }

    /// The meeting's transcript as `user` sees it, once it exists.
    pub(crate) async fn transcript_of(&self, meeting: Uuid, user: Uuid) -> Value {
        let path = format!("/api/transcripts?meetingId={meeting}");
        self.poll(&path, user, StatusCode::OK).await
    }

    /// A registered user, known to the directory (through a real `user.created` event).
    pub(crate) async fn given_user(&self, name: &str) -> Uuid {
        let user = Uuid::now_v7();
        let envelope = service::user_created(user, name, &format!("{user}@example.com"), None);
        self.publish(exchanges::USER, &envelope).await;
        self.eventually("the directory to learn the user", || async {
            sqlx::query("SELECT 1 FROM live_users WHERE user_id = $1")
                .bind(user.to_string())
                .fetch_optional(self.db.db.reader())
                .await
                .unwrap()
                .is_some()
        })
        .await;
        user
    }

    /// The next `n` messages of `queue` (each within 10 s), acknowledged.
    pub(crate) async fn take(&self, queue: &str, n: usize) -> Vec<Message> {
        service::next_messages(&*self.broker, queue, n).await
    }

    /// The next `n` transcript events.
    pub(crate) async fn events(&self, n: usize) -> Vec<Envelope> {
        service::next_events(&*self.broker, EVENTS_QUEUE, n).await
    }

    /// Transcript events still waiting in the test queue.
    pub(crate) async fn pending_events(&self) -> u64 {
        self.broker.queue_depth(EVENTS_QUEUE).await.unwrap()
    }
}
