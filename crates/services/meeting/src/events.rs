//! The events this service publishes, written to the outbox inside the caller's transaction.

use quorum_bus::{Envelope, Outbox};
use quorum_contracts::events::{MeetingChanged, MeetingEnded, ParticipantRef};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use quorum_store::Tx;
use uuid::Uuid;

use crate::error::ApiError;
use crate::repository::MeetingRecord;
use crate::views::millis;

pub(crate) const SOURCE: &str = "quorum/meeting";

/// `meeting.created`, `meeting.started` or `meeting.cancelled`.
pub(crate) async fn changed(
    outbox: &Outbox,
    tx: &mut Tx,
    kind: &str,
    m: &MeetingRecord,
    participants: &[Uuid],
) -> Result<(), ApiError> {
    let payload = MeetingChanged {
        meeting_id: m.id,
        meeting_title: m.title.clone(),
        owner_id: m.owner_id,
        scheduled_time: millis(m.scheduled_at),
        participant_ids: participants.to_vec(),
        occurred_at: millis(m.updated_at),
    };
    let envelope = Envelope::new(
        kind,
        SOURCE,
        Some(m.id.to_string()),
        SCHEMA_VERSION,
        &payload,
    )?;
    outbox.enqueue(tx, exchanges::MEETING, &envelope).await?;
    Ok(())
}

/// `meeting.ended`: what the minutes pipeline needs, notes included.
pub(crate) async fn ended(
    outbox: &Outbox,
    tx: &mut Tx,
    m: &MeetingRecord,
    participants: &[Uuid],
) -> Result<(), ApiError> {
    let end = m.ended_at.unwrap_or(m.updated_at);
    let named = crate::repository::participants(tx, m.id)
        .await?
        .into_iter()
        .map(|p| ParticipantRef {
            user_id: p.user_id,
            name: p.name,
            email: p.email,
        })
        .collect();
    let payload = MeetingEnded {
        meeting_id: m.id,
        meeting_title: m.title.clone(),
        owner_id: m.owner_id,
        scheduled_time: Some(millis(m.scheduled_at)),
        start_time: m.started_at.map(millis),
        end_time: millis(end),
        participant_ids: participants.to_vec(),
        participants: named,
        notes: m.notes.clone(),
        audio_file_url: None,
        occurred_at: millis(m.updated_at),
    };
    let envelope = Envelope::new(
        quorum_contracts::events::MEETING_ENDED,
        SOURCE,
        Some(m.id.to_string()),
        SCHEMA_VERSION,
        &payload,
    )?;
    outbox.enqueue(tx, exchanges::MEETING, &envelope).await?;
    Ok(())
}
