//! What the minutes pipeline tells the meeting: `transcript.created` moves an ENDED meeting to
//! MINUTES_READY; `todo.created` and `todo.completed` move its progress `{completed, total}`.
//!
//! One queue, `meeting.pipeline.queue`, bound to both exchanges. The consumer is idempotent
//! (inbox row in the same transaction), so a redelivered `todo.created` never counts twice.
//! A transcript for a meeting that is not ENDED (already MINUTES_READY, say) changes nothing.

use async_trait::async_trait;
use quorum_bus::{inbox_record, Delivery, Envelope, HandleError, Handler};
use quorum_contracts::events::{self, TodoCreated, TodoStatusChanged, TranscriptCreated};
use quorum_store::{now_millis, sqlx};
use uuid::Uuid;

use crate::app::AppState;

pub(crate) const QUEUE: &str = "meeting.pipeline.queue";
const CONSUMER: &str = "meeting.pipeline";

pub(crate) struct PipelineHandler {
    state: AppState,
}

impl PipelineHandler {
    pub(crate) fn new(state: AppState) -> Self {
        Self { state }
    }

    /// Applies one event; returns the meeting that changed.
    async fn apply(&self, envelope: &Envelope) -> Result<Option<Uuid>, HandleError> {
        let retry = |e: &dyn std::fmt::Display| HandleError::Retry(format!("pipeline: {e}"));
        let reject = |e: quorum_bus::BusError| HandleError::Reject(e.to_string());
        let (sql, meeting) = match envelope.kind.as_str() {
            events::TRANSCRIPT_CREATED => {
                let t: TranscriptCreated = envelope.data_as().map_err(reject)?;
                (
                    "UPDATE meetings SET status = 'MINUTES_READY', updated_at = $2 \
                     WHERE id = $1 AND status = 'ENDED'",
                    t.meeting_id,
                )
            }
            events::TODO_CREATED => {
                let t: TodoCreated = envelope.data_as().map_err(reject)?;
                let Some(meeting) = t.meeting_id else {
                    return Ok(None);
                };
                (
                    "UPDATE meetings SET progress_total = progress_total + 1, updated_at = $2 \
                     WHERE id = $1",
                    meeting,
                )
            }
            events::TODO_COMPLETED => {
                let t: TodoStatusChanged = envelope.data_as().map_err(reject)?;
                let Some(meeting) = t.meeting_id else {
                    return Ok(None);
                };
                (
                    "UPDATE meetings SET progress_completed = progress_completed + 1, \
                     updated_at = $2 WHERE id = $1",
                    meeting,
                )
            }
            other => {
                tracing::debug!(kind = other, "pipeline event ignored");
                return Ok(None);
            }
        };
        let mut tx = self.state.db.begin().await.map_err(|e| retry(&e))?;
        if !inbox_record(&mut tx, CONSUMER, envelope.id)
            .await
            .map_err(|e| retry(&e))?
        {
            tracing::debug!(event = %envelope.id, "duplicate pipeline event skipped");
            return Ok(None);
        }
        sqlx::query(sql)
            .bind(meeting.to_string())
            .bind(now_millis())
            .execute(&mut *tx)
            .await
            .map_err(|e| retry(&e))?;
        tx.commit().await.map_err(|e| retry(&e))?;
        Ok(Some(meeting))
    }
}

#[async_trait]
impl Handler for PipelineHandler {
    async fn handle(&self, delivery: &dyn Delivery) -> Result<(), HandleError> {
        let envelope = Envelope::from_bytes(&delivery.message().body)
            .map_err(|e| HandleError::Reject(e.to_string()))?;
        if let Some(meeting) = self.apply(&envelope).await? {
            tracing::info!(%meeting, kind = %envelope.kind, "meeting updated by the pipeline");
            self.state.evict(meeting).await;
        }
        Ok(())
    }
}
