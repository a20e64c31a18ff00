//! Deleted meetings. `meeting.deleted` arrives on `notification.meeting.queue` (bound to
//! `meeting.*`) and deletes, in the consumer's transaction, every notification and e-mail
//! about the meeting — those about the meeting itself, its transcript, its analysis and its
//! to-dos (each row carries the meeting it is about) — and what the service remembered of it
//! (`meeting_refs`, `todo_refs`), so nobody is left with a link to a page that answers 404.
//! E-mails still waiting to be sent go too (their jobs are then dropped by the workers).
//!
//! The deletion also writes the meeting's tombstone (`quorum_service::deleted_meetings`), and
//! every event is checked against it before anything is written for it ([`meeting_of`]): a
//! `transcript.created`, `ai.analysis.completed` or `todo.created` of a deleted meeting that
//! arrives later notifies nobody.

use quorum_bus::{Envelope, HandleError};
use quorum_contracts::events::MeetingDeleted;
use quorum_service::deleted_meetings;
use quorum_store::{now_millis, Tx};
use uuid::Uuid;

use crate::repository::{deliveries, notifications, refs};

/// The meeting an event is about: every payload the service consumes names it `meetingId`
/// (absent, or null, for a to-do without a meeting).
pub(crate) fn meeting_of(envelope: &Envelope) -> Option<Uuid> {
    envelope
        .data
        .get("meetingId")
        .and_then(serde_json::Value::as_str)
        .and_then(|id| Uuid::parse_str(id).ok())
}

/// Applies `meeting.deleted` inside the consumer's transaction.
pub(crate) async fn apply(tx: &mut Tx, envelope: &Envelope) -> Result<(), HandleError> {
    let d: MeetingDeleted = envelope.data_as().map_err(HandleError::reject)?;
    let meeting = d.meeting_id;
    deleted_meetings::record(tx, meeting, now_millis()).await?;
    let in_app = notifications::delete_for_meeting(tx, meeting).await?;
    let emails = deliveries::delete_for_meeting(tx, meeting).await?;
    refs::delete_meeting(tx, meeting).await?;
    tracing::info!(%meeting, notifications = in_app, emails,
        "a deleted meeting's notifications are gone");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_meeting_of_an_event_is_its_meeting_id() {
        let m = Uuid::now_v7();
        let envelope = |data: serde_json::Value| {
            Envelope::new("todo.created", "test", None, 1, &data).unwrap()
        };
        let with = envelope(serde_json::json!({ "meetingId": m, "todoId": Uuid::now_v7() }));
        assert_eq!(meeting_of(&with), Some(m));
        assert_eq!(
            meeting_of(&envelope(serde_json::json!({ "meetingId": null }))),
            None
        );
        assert_eq!(
            meeting_of(&envelope(serde_json::json!({ "todoId": m }))),
            None
        );
    }
}
