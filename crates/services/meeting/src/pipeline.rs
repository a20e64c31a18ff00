//! What the minutes pipeline tells the meeting: `ai.analysis.completed` moves an ENDED meeting
//! to MINUTES_READY; `todo.created`, `todo.completed` and `todo.deleted` move its progress
//! `{completed, total}`.
//!
//! MINUTES_READY follows the analysis, not the transcript: the analysis is the last part of
//! the minutes to be written, so a client that sees MINUTES_READY finds the transcript and
//! the analysis (`GET /api/ai/meetings/{id}/analysis`) already there. The AI service
//! publishes an analysis for every transcript, an empty one when its engine cannot make one
//! (see `quorum_ai`'s automatic analysis), so no meeting stays ENDED for want of it. An
//! analysis for a meeting that is not ENDED (already MINUTES_READY after an earlier
//! analysis, say) changes nothing.
//!
//! One queue, `meeting.pipeline.queue`, bound to both exchanges. The consumer is idempotent
//! (inbox row in the same transaction), so a redelivered `todo.created` never counts twice.
//! `todo.deleted` takes back what `todo.created` (and, for a DONE todo, `todo.completed`)
//! added; the counters only add and subtract, so they end right whatever order the events of
//! one todo are handled in.

use async_trait::async_trait;
use quorum_bus::{payload, Apply, Envelope, HandleError, Subscription};
use quorum_contracts::events::{
    self, AnalysisCompleted, TodoCreated, TodoDeleted, TodoStatusChanged,
};
use quorum_contracts::exchanges;
use quorum_store::{now_millis, sqlx, Tx};
use uuid::Uuid;

use crate::app::AppState;

pub(crate) const SUBSCRIPTION: Subscription = Subscription::new(
    "meeting.pipeline.queue",
    &[
        (exchanges::AI, events::AI_ANALYSIS_COMPLETED),
        (exchanges::TODO, events::TODO_CREATED),
        (exchanges::TODO, events::TODO_COMPLETED),
        (exchanges::TODO, events::TODO_DELETED),
    ],
);
const CONSUMER: &str = "meeting.pipeline";

pub(crate) struct Pipeline {
    state: AppState,
}

impl Pipeline {
    pub(crate) fn consumer(state: AppState) -> std::sync::Arc<quorum_bus::Consumer<Self>> {
        quorum_bus::Consumer::new(state.db.clone(), Self { state })
    }
}

#[async_trait]
impl Apply for Pipeline {
    /// The meeting that changed.
    type Outcome = Option<Uuid>;

    fn name(&self) -> &'static str {
        CONSUMER
    }

    async fn apply(&self, tx: &mut Tx, envelope: &Envelope) -> Result<Option<Uuid>, HandleError> {
        let (sql, meeting) = match envelope.kind.as_str() {
            events::AI_ANALYSIS_COMPLETED => {
                let a: AnalysisCompleted = payload(envelope)?;
                (
                    "UPDATE meetings SET status = 'MINUTES_READY', updated_at = $2 \
                     WHERE id = $1 AND status = 'ENDED'",
                    a.meeting_id,
                )
            }
            events::TODO_CREATED => {
                let t: TodoCreated = payload(envelope)?;
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
                let t: TodoStatusChanged = payload(envelope)?;
                let Some(meeting) = t.meeting_id else {
                    return Ok(None);
                };
                (
                    "UPDATE meetings SET progress_completed = progress_completed + 1, \
                     updated_at = $2 WHERE id = $1",
                    meeting,
                )
            }
            events::TODO_DELETED => {
                let t: TodoDeleted = payload(envelope)?;
                let Some(meeting) = t.meeting_id else {
                    return Ok(None);
                };
                let sql = if t.status == "DONE" {
                    "UPDATE meetings SET progress_total = progress_total - 1, \
                     progress_completed = progress_completed - 1, updated_at = $2 WHERE id = $1"
                } else {
                    "UPDATE meetings SET progress_total = progress_total - 1, updated_at = $2 \
                     WHERE id = $1"
                };
                (sql, meeting)
            }
            other => {
                tracing::debug!(kind = other, "pipeline event ignored");
                return Ok(None);
            }
        };
        sqlx::query(sql)
            .bind(meeting.to_string())
            .bind(now_millis())
            .execute(&mut **tx)
            .await?;
        tracing::info!(%meeting, kind = %envelope.kind, "meeting updated by the pipeline");
        Ok(Some(meeting))
    }

    async fn committed(&self, meeting: Option<Uuid>) {
        if let Some(meeting) = meeting {
            self.state.evict(meeting).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_ready_follows_the_analysis_not_the_transcript() {
        let binds = SUBSCRIPTION.binds;
        assert!(binds.contains(&(exchanges::AI, events::AI_ANALYSIS_COMPLETED)));
        assert!(binds.contains(&(exchanges::TODO, events::TODO_DELETED)));
        assert!(!binds
            .iter()
            .any(|(exchange, _)| *exchange == exchanges::TRANSCRIPT));
    }
}
