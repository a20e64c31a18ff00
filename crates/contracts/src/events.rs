//! Event types (routing keys) and payloads.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

pub const USER_CREATED: &str = "user.created";
pub const USER_UPDATED: &str = "user.updated";
pub const USER_DELETED: &str = "user.deleted";
pub const AUTH_TOKEN_REVOKED: &str = "auth.token_revoked";
pub const MEETING_CREATED: &str = "meeting.created";
pub const MEETING_STARTED: &str = "meeting.started";
pub const MEETING_ENDED: &str = "meeting.ended";
pub const MEETING_CANCELLED: &str = "meeting.cancelled";
/// A recording was uploaded after the meeting ended (payload: [`MeetingEnded`], with every
/// recording of the meeting so far).
pub const MEETING_RECORDING_ADDED: &str = "meeting.recording_added";
pub const TRANSCRIPT_CREATED: &str = "transcript.created";
pub const TRANSCRIPT_VERIFIED: &str = "transcript.verified";
pub const TRANSCRIPT_SHARED: &str = "transcript.shared";
/// A share was revoked (payload: [`TranscriptUnshared`]).
pub const TRANSCRIPT_UNSHARED: &str = "transcript.unshared";
pub const AI_ANALYSIS_COMPLETED: &str = "ai.analysis.completed";
pub const TODO_CREATED: &str = "todo.created";
pub const TODO_STATUS_CHANGED: &str = "todo.status_changed";
pub const TODO_COMPLETED: &str = "todo.completed";

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

/// `auth.token_revoked`: an access token (by `jti`) stops working before its expiry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TokenRevoked {
    pub jti: String,
    pub user_id: Uuid,
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
