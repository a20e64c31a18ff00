//! The events this service publishes, written to the outbox inside the caller's transaction.

use quorum_bus::{Envelope, Outbox};
use quorum_contracts::events::{
    SectionRef, TranscriptCreated, TranscriptShared, TranscriptUnshared, TranscriptVerified,
    TRANSCRIPT_CREATED, TRANSCRIPT_SHARED, TRANSCRIPT_UNSHARED, TRANSCRIPT_VERIFIED,
};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use quorum_store::Tx;
use serde::Serialize;
use uuid::Uuid;

use crate::domain::DraftSection;
use crate::error::ApiError;
use crate::repository::TranscriptRecord;
use crate::views::millis;

pub(crate) const SOURCE: &str = "quorum/transcript";

async fn enqueue<T: Serialize>(
    outbox: &Outbox,
    tx: &mut Tx,
    kind: &str,
    subject: Uuid,
    payload: &T,
) -> Result<(), ApiError> {
    let envelope = Envelope::new(
        kind,
        SOURCE,
        Some(subject.to_string()),
        SCHEMA_VERSION,
        payload,
    )?;
    outbox.enqueue(tx, exchanges::TRANSCRIPT, &envelope).await?;
    Ok(())
}

/// `transcript.created`: the whole transcript, so the AI service needs no call back.
pub(crate) async fn created(
    outbox: &Outbox,
    tx: &mut Tx,
    t: &TranscriptRecord,
    sections: &[DraftSection],
) -> Result<(), ApiError> {
    let payload = TranscriptCreated {
        transcript_id: t.id,
        meeting_id: t.meeting_id,
        meeting_title: t.meeting_title.clone(),
        owner_id: t.owner_id,
        participant_ids: t.participant_ids(),
        participants: t.participants.clone(),
        language: t.language.clone(),
        source: t.source.as_str().to_string(),
        meeting_date: millis(t.meeting_date),
        sections: (0_u32..)
            .zip(sections)
            .map(|(index, s)| SectionRef {
                index,
                speaker: s.speaker.clone(),
                speaker_id: s.speaker_id,
                start_ms: s.start_ms,
                end_ms: s.end_ms,
                text: s.text.clone(),
            })
            .collect(),
        occurred_at: millis(t.created_at),
    };
    enqueue(outbox, tx, TRANSCRIPT_CREATED, t.id, &payload).await
}

/// `transcript.verified`: every section was verified.
pub(crate) async fn verified(
    outbox: &Outbox,
    tx: &mut Tx,
    t: &TranscriptRecord,
    now: i64,
) -> Result<(), ApiError> {
    let payload = TranscriptVerified {
        transcript_id: t.id,
        meeting_id: t.meeting_id,
        meeting_title: t.meeting_title.clone(),
        participant_ids: t.participant_ids(),
        occurred_at: millis(now),
    };
    enqueue(outbox, tx, TRANSCRIPT_VERIFIED, t.id, &payload).await
}

/// `transcript.shared`: `users` may now read it.
pub(crate) async fn shared(
    outbox: &Outbox,
    tx: &mut Tx,
    t: &TranscriptRecord,
    by: Uuid,
    users: Vec<Uuid>,
    now: i64,
) -> Result<(), ApiError> {
    let payload = TranscriptShared {
        transcript_id: t.id,
        meeting_id: t.meeting_id,
        meeting_title: t.meeting_title.clone(),
        shared_by: by,
        user_ids: users,
        occurred_at: millis(now),
    };
    enqueue(outbox, tx, TRANSCRIPT_SHARED, t.id, &payload).await
}

/// `transcript.unshared`: `user` may no longer read it.
pub(crate) async fn unshared(
    outbox: &Outbox,
    tx: &mut Tx,
    t: &TranscriptRecord,
    by: Uuid,
    user: Uuid,
    now: i64,
) -> Result<(), ApiError> {
    let payload = TranscriptUnshared {
        transcript_id: t.id,
        meeting_id: t.meeting_id,
        revoked_by: by,
        user_ids: vec![user],
        occurred_at: millis(now),
    };
    enqueue(outbox, tx, TRANSCRIPT_UNSHARED, t.id, &payload).await
}
