//! What the minutes pipeline tells the meeting: `transcript.created` moves an ENDED meeting to
//! MINUTES_READY; `todo.created` and `todo.completed` move its progress `{completed, total}`.
//!
//! One queue, `meeting.pipeline.queue`, bound to both exchanges. The consumer is idempotent
//! (inbox row in the same transaction), so a redelivered `todo.created` never counts twice.
//! A transcript for a meeting that is not ENDED (already MINUTES_READY, say) changes nothing.

use async_trait::async_trait;
use quorum_bus::{payload, Apply, Envelope, HandleError, Subscription};
use quorum_contracts::events::{self, TodoCreated, TodoStatusChanged, TranscriptCreated};
use quorum_contracts::exchanges;
use quorum_store::{now_millis, sqlx, Tx};
use uuid::Uuid;

use crate::app::AppState;

pub(crate) const SUBSCRIPTION: Subscription = Subscription::new(
    "meeting.pipeline.queue",
    &[
        (exchanges::TRANSCRIPT, events::TRANSCRIPT_CREATED),
        (exchanges::TODO, events::TODO_CREATED),
        (exchanges::TODO, events::TODO_COMPLETED),
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
            events::TRANSCRIPT_CREATED => {
                let t: TranscriptCreated = payload(envelope)?;
                (
                    "UPDATE meetings SET status = 'MINUTES_READY', updated_at = $2 \
                     WHERE id = $1 AND status = 'ENDED'",
                    t.meeting_id,
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
