//! Event types (routing keys) and payloads.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const USER_CREATED: &str = "user.created";
pub const USER_UPDATED: &str = "user.updated";
pub const USER_DELETED: &str = "user.deleted";
pub const AUTH_TOKEN_REVOKED: &str = "auth.token_revoked";
/// A user asked to change their e-mail address; the code that confirms it is to be sent to
/// the new address (payload: [`EmailChangeRequested`]). On `user.events`, but not `user.*`,
/// so only a consumer that binds it (the notification service) receives the code.
pub const AUTH_EMAIL_CHANGE_REQUESTED: &str = "auth.email_change_requested";
pub const MEETING_CREATED: &str = "meeting.created";
pub const MEETING_STARTED: &str = "meeting.started";
pub const MEETING_ENDED: &str = "meeting.ended";
pub const MEETING_CANCELLED: &str = "meeting.cancelled";
/// A recording was uploaded after the meeting ended (payload: [`MeetingEnded`], with every
/// recording of the meeting so far).
pub const MEETING_RECORDING_ADDED: &str = "meeting.recording_added";
/// The owner deleted the meeting; every service removes what it keeps for it (payload:
/// [`MeetingDeleted`]).
pub const MEETING_DELETED: &str = "meeting.deleted";
pub const TRANSCRIPT_CREATED: &str = "transcript.created";
pub const TRANSCRIPT_VERIFIED: &str = "transcript.verified";
pub const TRANSCRIPT_SHARED: &str = "transcript.shared";
/// A share was revoked (payload: [`TranscriptUnshared`]).
pub const TRANSCRIPT_UNSHARED: &str = "transcript.unshared";
pub const AI_ANALYSIS_COMPLETED: &str = "ai.analysis.completed";
pub const TODO_CREATED: &str = "todo.created";
pub const TODO_STATUS_CHANGED: &str = "todo.status_changed";
pub const TODO_COMPLETED: &str = "todo.completed";
/// A todo was deleted (payload: [`TodoDeleted`]).
pub const TODO_DELETED: &str = "todo.deleted";

/// `user.created` and `user.updated`: the public directory entry of a user.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserChanged {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    /// Preferred language for messages (`ko` or `en`).
    #[serde(default)]
    pub locale: Option<String>,
    pub occurred_at: DateTime<Utc>,
}

/// `user.deleted`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct UserDeleted {
    pub user_id: Uuid,
    pub occurred_at: DateTime<Utc>,
}

/// `auth.token_revoked`: an access token (by `jti`) stops working before its expiry — or,
/// when `jti` is `sid:<session>`, every access token of that session (refresh-token family)
/// does: `jti` is the key of a `quorum_auth::RevocationList` either way.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRevoked {
    pub jti: String,
    pub user_id: Uuid,
    pub expires_at: DateTime<Utc>,
    pub occurred_at: DateTime<Utc>,
}

/// `auth.email_change_requested`: send `code` to `email` (the new address, not yet the
/// account's), in `locale`, addressed to `name`; it confirms the change until `expiresAt`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct EmailChangeRequested {
    pub user_id: Uuid,
    pub email: String,
    pub name: String,
    #[serde(default)]
    pub locale: Option<String>,
    pub code: String,
    pub expires_at: DateTime<Utc>,
    pub occurred_at: DateTime<Utc>,
}

/// `meeting.created`, `meeting.started`, `meeting.cancelled`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeetingChanged {
    pub meeting_id: Uuid,
    pub meeting_title: String,
    pub owner_id: Uuid,
    pub scheduled_time: DateTime<Utc>,
    pub participant_ids: Vec<Uuid>,
    pub occurred_at: DateTime<Utc>,
}

/// `meeting.deleted`: the meeting and everything made from it are gone. Consumers delete
/// what they keep for it and remember the deletion (a tombstone), so an event about the
/// meeting that arrives later (`transcript.created`, `ai.analysis.completed`, …) creates
/// nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeetingDeleted {
    pub meeting_id: Uuid,
    pub owner_id: Uuid,
    /// Every participant when it was deleted, the owner first.
    pub participant_ids: Vec<Uuid>,
    pub occurred_at: DateTime<Utc>,
}

/// A participant as the publishing service knew them (event-carried state, so consumers
/// need no synchronous call to name people).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ParticipantRef {
    pub user_id: Uuid,
    pub name: String,
    #[serde(default)]
    pub email: String,
}

/// `meeting.ended`: carries what the minutes pipeline needs (seed 000 §3.4.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeetingEnded {
    pub meeting_id: Uuid,
    pub meeting_title: String,
    pub owner_id: Uuid,
    /// When the meeting was scheduled; relative dates in the notes resolve against it.
    #[serde(default)]
    pub scheduled_time: Option<DateTime<Utc>>,
    pub start_time: Option<DateTime<Utc>>,
    pub end_time: DateTime<Utc>,
    pub participant_ids: Vec<Uuid>,
    /// The participants with their names, in the meeting's order (owner first).
    #[serde(default)]
    pub participants: Vec<ParticipantRef>,
    /// The meeting's notes (markdown; `Name: text` lines attribute speech).
    #[serde(default)]
    pub notes: Option<String>,
    /// The first recording's URL (kept for consumers that know one recording only).
    #[serde(default)]
    pub audio_file_url: Option<String>,
    /// Every recording of the meeting, one per track (participant), in upload order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub recordings: Vec<RecordingRef>,
    pub occurred_at: DateTime<Utc>,
}

/// One uploaded recording (a track). `url` is where the file lives (`file://` on the shared
/// recordings volume); `participant_id` is the speaker of the whole track when known.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct RecordingRef {
    pub recording_id: Uuid,
    pub url: String,
    #[serde(default)]
    pub participant_id: Option<Uuid>,
    /// `wav`, `flac`, `mp3`, `ogg`, `m4a` or `webm`.
    pub format: String,
    pub duration_ms: u64,
    pub size_bytes: u64,
    /// Hex SHA-256 of the stored file.
    pub sha256: String,
}

/// One section of a transcript as carried in events.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SectionRef {
    pub index: u32,
    #[serde(default)]
    pub speaker: Option<String>,
    /// The participant the speaker was matched to, when one was.
    #[serde(default)]
    pub speaker_id: Option<Uuid>,
    #[serde(default)]
    pub start_ms: Option<u64>,
    #[serde(default)]
    pub end_ms: Option<u64>,
    pub text: String,
}

/// `transcript.created`: the transcript in full, so the AI service needs no call back.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptCreated {
    pub transcript_id: Uuid,
    pub meeting_id: Uuid,
    pub meeting_title: String,
    pub owner_id: Uuid,
    pub participant_ids: Vec<Uuid>,
    #[serde(default)]
    pub participants: Vec<ParticipantRef>,
    /// `ko` or `en`.
    pub language: String,
    /// `NOTES` or `RECORDING`.
    pub source: String,
    /// The date relative expressions ("by Friday", "내일") resolve against.
    pub meeting_date: DateTime<Utc>,
    pub sections: Vec<SectionRef>,
    pub occurred_at: DateTime<Utc>,
}

/// `transcript.verified`: every section was verified.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptVerified {
    pub transcript_id: Uuid,
    pub meeting_id: Uuid,
    pub meeting_title: String,
    pub participant_ids: Vec<Uuid>,
    pub occurred_at: DateTime<Utc>,
}

/// `transcript.shared`: `user_ids` may now read the transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptShared {
    pub transcript_id: Uuid,
    pub meeting_id: Uuid,
    pub meeting_title: String,
    pub shared_by: Uuid,
    pub user_ids: Vec<Uuid>,
    pub occurred_at: DateTime<Utc>,
}

/// `transcript.unshared`: `user_ids` may no longer read the transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TranscriptUnshared {
    pub transcript_id: Uuid,
    pub meeting_id: Uuid,
    pub revoked_by: Uuid,
    pub user_ids: Vec<Uuid>,
    pub occurred_at: DateTime<Utc>,
}

/// An action item found in a meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionItemRef {
    pub title: String,
    #[serde(default)]
    pub assignee_id: Option<Uuid>,
    #[serde(default)]
    pub assignee_name: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub due_date: Option<String>,
    /// RFC 3339, when a time of day was stated ("next Monday at 10").
    #[serde(default)]
    pub due_at: Option<DateTime<Utc>>,
    /// The 0-based index, into the transcript's sections, of the section the item was found
    /// in (where it was accepted, when asked in one and accepted in another); `None` when
    /// unknown, and in events from before the field existed.
    #[serde(default)]
    pub section_index: Option<u32>,
}

/// A suggested follow-up meeting.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleSuggestionRef {
    pub id: Uuid,
    pub title: String,
    pub start: DateTime<Utc>,
    pub duration_minutes: u32,
    pub participant_ids: Vec<Uuid>,
    pub reason: String,
}

/// `ai.analysis.completed`: the automatic analysis of a transcript.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisCompleted {
    pub analysis_id: Uuid,
    pub meeting_id: Uuid,
    pub transcript_id: Uuid,
    pub meeting_title: String,
    pub participant_ids: Vec<Uuid>,
    pub language: String,
    pub summary: String,
    pub action_items: Vec<ActionItemRef>,
    pub decisions: Vec<String>,
    /// Parallel to `decisions` (same length and order): the section index of each, `None`
    /// when unknown. Empty in events from before the field existed.
    #[serde(default)]
    pub decision_sections: Vec<Option<u32>>,
    pub schedule_suggestions: Vec<ScheduleSuggestionRef>,
    /// `builtin` or the chat model's name.
    pub engine: String,
    pub occurred_at: DateTime<Utc>,
}

/// `todo.created`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TodoCreated {
    pub todo_id: Uuid,
    #[serde(default)]
    pub meeting_id: Option<Uuid>,
    pub title: String,
    #[serde(default)]
    pub assignee_id: Option<Uuid>,
    /// `YYYY-MM-DD`.
    #[serde(default)]
    pub due_date: Option<String>,
    /// `NOTES`, `AI` or `MANUAL`.
    pub source: String,
    #[serde(default)]
    pub created_by: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
}

/// `todo.status_changed` (every change) and `todo.completed` (the change to `DONE`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TodoStatusChanged {
    pub todo_id: Uuid,
    #[serde(default)]
    pub meeting_id: Option<Uuid>,
    pub title: String,
    #[serde(default)]
    pub assignee_id: Option<Uuid>,
    pub from: String,
    pub to: String,
    #[serde(default)]
    pub changed_by: Option<Uuid>,
    pub occurred_at: DateTime<Utc>,
}

/// `todo.deleted`: the todo as it was when it was deleted.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TodoDeleted {
    pub todo_id: Uuid,
    #[serde(default)]
    pub meeting_id: Option<Uuid>,
    pub title: String,
    #[serde(default)]
    pub assignee_id: Option<Uuid>,
    #[serde(default)]
    pub created_by: Option<Uuid>,
    /// Its status when deleted: `OPEN`, `IN_PROGRESS` or `DONE` (a `DONE` todo had been
    /// announced by `todo.completed`).
    pub status: String,
    pub deleted_by: Uuid,
    pub occurred_at: DateTime<Utc>,
}

#[cfg(test)]
mod tests {
    use super::{ActionItemRef, AnalysisCompleted};

    /// An `ai.analysis.completed` payload as published before action items and decisions
    /// carried their transcript section.
    const OLD_ANALYSIS: &str = r#"{
        "analysisId": "0190a0a0-0000-7000-8000-000000000001",
        "meetingId": "0190a0a0-0000-7000-8000-000000000002",
        "transcriptId": "0190a0a0-0000-7000-8000-000000000003",
        "meetingTitle": "Launch sync",
        "participantIds": [],
        "language": "en",
        "summary": "We agreed to ship on Friday.",
        "actionItems": [{"title": "Update the budget", "assigneeId": null,
            "assigneeName": "Minji", "dueDate": "2027-01-15", "dueAt": null}],
        "decisions": ["Ship on Friday"],
        "scheduleSuggestions": [],
        "engine": "builtin",
        "occurredAt": "2027-01-13T01:00:00Z"
    }"#;

    #[test]
    fn an_analysis_event_without_sections_still_parses() {
        let old: AnalysisCompleted = serde_json::from_str(OLD_ANALYSIS).unwrap();
        assert_eq!(old.action_items[0].section_index, None);
        assert_eq!(old.action_items[0].due_date.as_deref(), Some("2027-01-15"));
        assert_eq!(old.decisions, ["Ship on Friday"]);
        assert!(old.decision_sections.is_empty());
    }

    #[test]
    fn an_analysis_event_carries_the_sections() {
        let mut event: AnalysisCompleted = serde_json::from_str(OLD_ANALYSIS).unwrap();
        event.action_items[0].section_index = Some(2);
        event.decision_sections = vec![Some(4)];
        let json = serde_json::to_value(&event).unwrap();
        assert_eq!(json["actionItems"][0]["sectionIndex"], 2);
        assert_eq!(json["decisionSections"], serde_json::json!([4]));
        let back: AnalysisCompleted = serde_json::from_value(json).unwrap();
        assert_eq!(back, event);
        let item: ActionItemRef =
            serde_json::from_str(r#"{"title": "Review", "sectionIndex": null}"#).unwrap();
        assert_eq!(item.section_index, None);
    }
}
