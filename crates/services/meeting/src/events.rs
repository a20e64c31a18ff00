//! The events this service publishes, written to the outbox inside the caller's transaction.

use quorum_bus::{Envelope, Outbox};
use quorum_contracts::events::{
    MeetingChanged, MeetingDeleted, MeetingEnded, ParticipantRef, RecordingRef, MEETING_DELETED,
    MEETING_ENDED, MEETING_RECORDING_ADDED,
};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use quorum_store::Tx;
use uuid::Uuid;

use crate::error::ApiError;
use crate::repository::recordings::{self, RecordingRecord};
use crate::repository::{self, MeetingRecord};
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

/// `meeting.deleted`: the meeting (and every participant) at the time it was deleted.
pub(crate) async fn deleted(
    outbox: &Outbox,
    tx: &mut Tx,
    m: &MeetingRecord,
    participants: &[Uuid],
    at: i64,
) -> Result<(), ApiError> {
    let payload = MeetingDeleted {
        meeting_id: m.id,
        owner_id: m.owner_id,
        participant_ids: participants.to_vec(),
        occurred_at: millis(at),
    };
    let envelope = Envelope::new(
        MEETING_DELETED,
        SOURCE,
        Some(m.id.to_string()),
        SCHEMA_VERSION,
        &payload,
    )?;
    outbox.enqueue(tx, exchanges::MEETING, &envelope).await?;
    Ok(())
}

/// `meeting.ended`: what the minutes pipeline needs, notes and recordings included.
pub(crate) async fn ended(
    outbox: &Outbox,
    tx: &mut Tx,
    m: &MeetingRecord,
    participants: &[Uuid],
) -> Result<(), ApiError> {
    let payload = ended_payload(tx, m, participants, m.updated_at).await?;
    enqueue_ended(outbox, tx, MEETING_ENDED, m, &payload).await
}

/// `meeting.recording_added`: a recording arrived after the meeting ended; the payload is
/// `meeting.ended`'s, with every recording so far.
pub(crate) async fn recording_added(
    outbox: &Outbox,
    tx: &mut Tx,
    m: &MeetingRecord,
    participants: &[Uuid],
    at: i64,
) -> Result<(), ApiError> {
    let payload = ended_payload(tx, m, participants, at).await?;
    enqueue_ended(outbox, tx, MEETING_RECORDING_ADDED, m, &payload).await
}

async fn ended_payload(
    tx: &mut Tx,
    m: &MeetingRecord,
    participants: &[Uuid],
    occurred_at: i64,
) -> Result<MeetingEnded, ApiError> {
    let end = m.ended_at.unwrap_or(m.updated_at);
    let named = repository::participants(tx, m.id)
        .await?
        .into_iter()
        .map(|p| ParticipantRef {
            user_id: p.user_id,
            name: p.name,
            email: p.email,
        })
        .collect();
    let recordings: Vec<RecordingRef> = recordings::all_of(tx, m.id)
        .await?
        .into_iter()
        .map(recording_ref)
        .collect();
    Ok(MeetingEnded {
        meeting_id: m.id,
        meeting_title: m.title.clone(),
        owner_id: m.owner_id,
        scheduled_time: Some(millis(m.scheduled_at)),
        start_time: m.started_at.map(millis),
        end_time: millis(end),
        participant_ids: participants.to_vec(),
        participants: named,
        notes: m.notes.clone(),
        audio_file_url: recordings.first().map(|r| r.url.clone()),
        recordings,
        occurred_at: millis(occurred_at),
    })
}

async fn enqueue_ended(
    outbox: &Outbox,
    tx: &mut Tx,
    kind: &str,
    m: &MeetingRecord,
    payload: &MeetingEnded,
) -> Result<(), ApiError> {
    let envelope = Envelope::new(
        kind,
        SOURCE,
        Some(m.id.to_string()),
        SCHEMA_VERSION,
        payload,
    )?;
    outbox.enqueue(tx, exchanges::MEETING, &envelope).await?;
    Ok(())
}

/// A stored recording as events carry it: `url` is `file://` and the absolute path.
fn recording_ref(r: RecordingRecord) -> RecordingRef {
    RecordingRef {
        recording_id: r.id,
        url: format!("file://{}", r.path),
        participant_id: Some(r.participant_id),
        format: r.format,
        duration_ms: u64::try_from(r.duration_ms).unwrap_or(0),
        size_bytes: u64::try_from(r.size_bytes).unwrap_or(0),
        sha256: r.sha256,
    }
}
