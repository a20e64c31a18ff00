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
pub const TRANSCRIPT_CREATED: &str = "transcript.created";
pub const TRANSCRIPT_VERIFIED: &str = "transcript.verified";
pub const TRANSCRIPT_SHARED: &str = "transcript.shared";
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

/// `meeting.ended`: carries what the minutes pipeline needs (seed 000 §3.4.3).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct MeetingEnded {
    pub meeting_id: Uuid,
    pub meeting_title: String,
    pub owner_id: Uuid,
    pub start_time: Option<DateTime<Utc>>,
    pub end_time: DateTime<Utc>,
    pub participant_ids: Vec<Uuid>,
    /// The meeting's notes (markdown; `Name: text` lines attribute speech).
    #[serde(default)]
    pub notes: Option<String>,
    #[serde(default)]
    pub audio_file_url: Option<String>,
    pub occurred_at: DateTime<Utc>,
}
