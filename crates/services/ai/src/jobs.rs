//! Requested analyses (Queue-Based Load Leveling + Asynchronous Request-Reply): a request
//! puts a [`Job`] on `ai.processing.queue`; workers take at most `workers` at once, move the
//! task `PENDING → PROCESSING`, run the engine, store the analysis and complete the task
//! with its result — or fail it with the error and dead-letter the job.
//!
//! A redelivered job (the worker died mid-way) finds its task PROCESSING and runs again; the
//! analysis is unique per task, so it is reused rather than stored twice.
//!
//! A job of a deleted meeting fails its task ("the meeting was deleted"): the meeting's
//! transcript is gone, and a job already running checks the tombstone in the transaction
//! that would store its analysis (`deletion.rs`).

use std::time::Duration;

use async_trait::async_trait;
use quorum_bus::{Delivery, HandleError, Handler, QueueSpec};
use quorum_service::deleted_meetings;
use quorum_store::now_millis;
use quorum_tasks::TaskError;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::ApiError;
use crate::repository::{self, AnalysisRecord, Kind};
use crate::views::{ScheduleResult, SummaryResult};

pub(crate) const QUEUE: &str = "ai.processing.queue";

/// The work queue: bounded (a full queue rejects the request: backpressure), jobs expire
/// after 2 h, three deliveries, then the dead-letter queue.
pub(crate) fn queue_spec(max_length: u64) -> QueueSpec {
    QueueSpec::new(QUEUE)
        .max_length(max_length)
        .ttl(Duration::from_secs(2 * 60 * 60))
        .max_deliveries(MAX_DELIVERIES)
}

/// Why a task of a deleted meeting failed.
pub(crate) const DELETED: &str = "the meeting was deleted";

/// After this many deliveries a job that keeps failing transiently fails its task.
const MAX_DELIVERIES: u32 = 3;

/// What a job computes; the task kind and id prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum JobKind {
    #[serde(rename = "ai-schedule")]
    Schedule,
    #[serde(rename = "ai-summary")]
    Summary,
}

impl JobKind {
    pub(crate) fn task_kind(self) -> &'static str {
        match self {
            JobKind::Schedule => "ai-schedule",
            JobKind::Summary => "ai-summary",
        }
    }
    fn analysis_kind(self) -> Kind {
        match self {
            JobKind::Schedule => Kind::Schedule,
            JobKind::Summary => Kind::Summary,
        }
    }
}

/// The message on `ai.processing.queue`.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Job {
    pub(crate) task_id: String,
    pub(crate) kind: JobKind,
    pub(crate) meeting_id: Uuid,
    pub(crate) transcript_id: Uuid,
    pub(crate) requester: Uuid,
}

pub(crate) struct JobHandler {
    state: AppState,
}

/// Why a job did not complete: `Failed` fails the task and dead-letters the job, `Transient`
/// retries it.
enum JobError {
    Failed(String),
    Transient(String),
}

impl From<ApiError> for JobError {
    fn from(e: ApiError) -> Self {
        JobError::Transient(e.to_string())
    }
}

impl From<quorum_service::Failure> for JobError {
    fn from(e: quorum_service::Failure) -> Self {
        JobError::Transient(e.to_string())
    }
}

impl JobHandler {
    pub(crate) fn new(state: AppState) -> Self {
        Self { state }
    }

    async fn run(&self, job: &Job) -> Result<serde_json::Value, JobError> {
        let mut conn = self
            .state
            .db
            .reader()
            .acquire()
            .await
            .map_err(ApiError::from)?;
        let existing = repository::analysis_of_task(&mut conn, &job.task_id).await?;
        let transcript = repository::transcript(&mut conn, job.transcript_id).await?;
        drop(conn);
        let record = match existing {
            Some(record) => record,
            None => {
                let t = transcript.ok_or_else(|| {
                    JobError::Failed(format!("transcript {} is not known", job.transcript_id))
                })?;
                let record = crate::analysis::run(&self.state, &t)
                    .await
                    .map_err(|e| JobError::Failed(format!("analysis failed: {e}")))?;
                let mut tx = self.state.db.begin().await.map_err(ApiError::from)?;
                if deleted_meetings::is_deleted(&mut tx, job.meeting_id).await? {
                    return Err(JobError::Failed(DELETED.into()));
                }
                let kind = job.kind.analysis_kind();
                repository::insert_analysis(
                    &mut tx,
                    &record,
                    kind,
                    Some(&job.task_id),
                    now_millis(),
                )
                .await?;
                tx.commit().await.map_err(ApiError::from)?;
                record
            }
        };
        Ok(result(job.kind, record))
    }

    async fn settle(
        &self,
        job: &Job,
        outcome: Result<serde_json::Value, JobError>,
        last_try: bool,
    ) -> Result<(), HandleError> {
        let tasks = &self.state.tasks;
        let retry = |e: TaskError| HandleError::Retry(format!("task store: {e}"));
        match outcome {
            Ok(result) => {
                tasks.complete(&job.task_id, result).await.map_err(retry)?;
                tracing::info!(task = %job.task_id, "AI task completed");
                Ok(())
            }
            Err(JobError::Transient(e)) if !last_try => Err(HandleError::Retry(e)),
            Err(JobError::Transient(message) | JobError::Failed(message)) => {
                tasks.fail(&job.task_id, &message).await.map_err(retry)?;
                tracing::warn!(task = %job.task_id, error = %message, "AI task failed");
                Err(HandleError::Reject(message))
            }
        }
    }
}

/// The task's result document.
fn result(kind: JobKind, r: AnalysisRecord) -> serde_json::Value {
    let value = match kind {
        JobKind::Schedule => serde_json::to_value(ScheduleResult {
            schedule_id: r.id,
            schedules: r.doc.schedule_suggestions,
            engine: r.engine,
        }),
        JobKind::Summary => serde_json::to_value(SummaryResult {
            analysis_id: r.id,
            summary: r.doc.summary,
            action_items: r.doc.action_items,
            decisions: r.doc.decisions,
            decision_sections: r.doc.decision_sections,
            engine: r.engine,
        }),
    };
    // Plain strings, numbers, ids and dates always serialize.
    value.unwrap_or_default()
}

#[async_trait]
impl Handler for JobHandler {
    async fn handle(&self, delivery: &dyn Delivery) -> Result<(), HandleError> {
        let job: Job = serde_json::from_slice(&delivery.message().body)
            .map_err(|e| HandleError::Reject(format!("malformed job: {e}")))?;
        match self.state.tasks.mark_processing(&job.task_id).await {
            Ok(_) => {}
            // Expired, or already finished by an earlier delivery: nothing left to do.
            Err(TaskError::NotFound(_) | TaskError::InvalidTransition { .. }) => {
                tracing::info!(task = %job.task_id, "job for a finished or expired task dropped");
                return Ok(());
            }
            Err(e) => return Err(HandleError::Retry(format!("task store: {e}"))),
        }
        let outcome = self.run(&job).await;
        let last_try = delivery.delivery_count() >= MAX_DELIVERIES;
        self.settle(&job, outcome, last_try).await
    }
}
