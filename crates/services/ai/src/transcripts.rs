//! The automatic analysis: `transcript.created` on `ai.transcript.queue` → keep the
//! transcript (later requests by id need no call to the transcript service) → run the engine
//! → store the `AUTO` analysis and write `ai.analysis.completed` to the outbox in one
//! transaction.
//!
//! Every transcript gets its analysis and its event: the meeting service moves the meeting to
//! MINUTES_READY on `ai.analysis.completed`, so a transcript left without one would leave its
//! meeting ENDED for good. When the engine cannot analyse the transcript — it says the input
//! cannot be analysed (nothing was said) or returns junk, or it stays unavailable for
//! [`ENGINE_TRIES`] deliveries — an empty analysis ([`crate::analysis::empty`]: no summary,
//! no items, engine `none`) is stored and announced instead. (The built-in engine never
//! fails; this covers an embedder's local engine, see [`crate::build_with_engine`].)
//!
//! Idempotent twice over: the event id goes into the inbox in that transaction, and at most
//! one `AUTO` analysis exists per transcript (a unique index), so neither a redelivered event
//! nor a second event about the same transcript duplicates the analysis or its event. The
//! engine runs outside the transaction (a chat call may take seconds; the SQLite writer is
//! not held meanwhile).
//!
//! A transcript of a deleted meeting (its tombstone, see `deletion.rs`) is neither kept nor
//! analysed: both transactions check the tombstone first, so an analysis that was computed
//! while the meeting was being deleted is dropped instead of stored.

use async_trait::async_trait;
use quorum_bus::{begin_once, Delivery, Envelope, HandleError, Handler, Subscription};
use quorum_contracts::events::{TranscriptCreated, TRANSCRIPT_CREATED};
use quorum_contracts::exchanges;
use quorum_service::deleted_meetings;
use quorum_store::now_millis;
use uuid::Uuid;

use crate::app::AppState;
use crate::engine::EngineError;
use crate::error::ApiError;
use crate::repository::{self, AnalysisRecord, Kind};

/// The queue this service consumes transcript events from.
pub(crate) const SUBSCRIPTION: Subscription = Subscription::new(
    "ai.transcript.queue",
    &[(exchanges::TRANSCRIPT, TRANSCRIPT_CREATED)],
);
/// The consumer's name in the inbox.
pub(crate) const CONSUMER: &str = "ai.transcripts";
/// Deliveries of one `transcript.created` on which an unavailable or slow engine is retried
/// (with the workers' backoff) before the empty analysis is stored; fewer than the queue's
/// five, so the event is never dead-lettered for it.
const ENGINE_TRIES: u32 = 3;

pub(crate) struct TranscriptHandler {
    state: AppState,
}

impl TranscriptHandler {
    pub(crate) fn new(state: AppState) -> Self {
        Self { state }
    }

    /// Keeps the transcript; `true` when there is nothing more to do: it was analysed
    /// already, or its meeting was deleted (then nothing is kept).
    async fn remember(&self, t: &TranscriptCreated) -> Result<bool, ApiError> {
        let mut tx = self.state.db.begin().await?;
        if deleted_meetings::is_deleted(&mut tx, t.meeting_id).await? {
            tracing::info!(meeting = %t.meeting_id, transcript = %t.transcript_id,
                "the meeting was deleted; the transcript is not analysed");
            return Ok(true);
        }
        repository::save_transcript(&mut tx, t, now_millis()).await?;
        let done = repository::has_auto(&mut tx, t.transcript_id).await?;
        tx.commit().await?;
        Ok(done)
    }

    /// Stores the analysis and its event unless this event or this transcript was handled.
    async fn store(
        &self,
        event: Uuid,
        t: &TranscriptCreated,
        a: &AnalysisRecord,
    ) -> Result<bool, HandleError> {
        let Some(mut tx) = begin_once(&self.state.db, CONSUMER, event).await? else {
            return Ok(false);
        };
        if deleted_meetings::is_deleted(&mut tx, t.meeting_id).await?
            || repository::has_auto(&mut tx, t.transcript_id).await?
        {
            tx.commit().await?;
            return Ok(false);
        }
        repository::insert_analysis(&mut tx, a, Kind::Auto, None, now_millis()).await?;
        crate::events::analysis_completed(&self.state.outbox, &mut tx, t, a).await?;
        tx.commit().await?;
        self.state.outbox.committed();
        Ok(true)
    }
}

#[async_trait]
impl Handler for TranscriptHandler {
    async fn handle(&self, delivery: &dyn Delivery) -> Result<(), HandleError> {
        let retry = |e: ApiError| HandleError::retry(e);
        let envelope =
            Envelope::from_bytes(&delivery.message().body).map_err(HandleError::reject)?;
        if envelope.kind != TRANSCRIPT_CREATED {
            tracing::debug!(kind = %envelope.kind, "transcript event ignored");
            return Ok(());
        }
        let t: TranscriptCreated = envelope.data_as().map_err(HandleError::reject)?;
        if self.remember(&t).await.map_err(retry)? {
            tracing::debug!(transcript = %t.transcript_id, "already analysed; skipped");
            return Ok(());
        }
        let record = match crate::analysis::run(&self.state, &t).await {
            Ok(record) => record,
            Err(e @ (EngineError::Unavailable(_) | EngineError::Timeout))
                if delivery.delivery_count() < ENGINE_TRIES =>
            {
                return Err(HandleError::Retry(format!("analysis failed: {e}")));
            }
            Err(e) => {
                tracing::warn!(transcript = %t.transcript_id, error = %e,
                    "no analysis could be made; an empty one completes the minutes");
                crate::analysis::empty(&t)
            }
        };
        if self.store(envelope.id, &t, &record).await? {
            tracing::info!(transcript = %t.transcript_id, analysis = %record.id,
                engine = %record.engine, "automatic analysis stored");
        }
        Ok(())
    }
}
