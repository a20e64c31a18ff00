//! The event this service publishes, written to the outbox inside the caller's transaction.

use quorum_bus::{Envelope, Outbox};
use quorum_contracts::events::{AnalysisCompleted, TranscriptCreated, AI_ANALYSIS_COMPLETED};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use quorum_store::Tx;

use crate::error::ApiError;
use crate::repository::AnalysisRecord;

pub(crate) const SOURCE: &str = "quorum/ai";

/// `ai.analysis.completed` for the automatic analysis `a` of transcript `t`.
pub(crate) async fn analysis_completed(
    outbox: &Outbox,
    tx: &mut Tx,
    t: &TranscriptCreated,
    a: &AnalysisRecord,
) -> Result<(), ApiError> {
    let payload = AnalysisCompleted {
        analysis_id: a.id,
        meeting_id: a.meeting_id,
        transcript_id: a.transcript_id,
        meeting_title: t.meeting_title.clone(),
        participant_ids: crate::analysis::participant_ids(t),
        language: t.language.clone(),
        summary: a.doc.summary.clone(),
        action_items: a.doc.action_items.iter().map(Into::into).collect(),
        decisions: a.doc.decisions.clone(),
        decision_sections: a.doc.decision_sections.clone(),
        schedule_suggestions: a.doc.schedule_suggestions.iter().map(Into::into).collect(),
        engine: a.engine.clone(),
        occurred_at: chrono::Utc::now(),
    };
    let envelope = Envelope::new(
        AI_ANALYSIS_COMPLETED,
        SOURCE,
        Some(a.meeting_id.to_string()),
        SCHEMA_VERSION,
        &payload,
    )?;
    outbox.enqueue(tx, exchanges::AI, &envelope).await?;
    Ok(())
}
