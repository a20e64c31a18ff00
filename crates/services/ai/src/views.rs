//! JSON bodies of the API, and the stored form of an analysis (`analyses.result`), which is
//! the same document: what the engine found, with ids given to schedule suggestions.

use chrono::{DateTime, Utc};
use quorum_contracts::events::{ActionItemRef, ScheduleSuggestionRef};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

/// `POST /api/ai/schedules` and `POST /api/ai/summaries`.
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AiRequest {
    pub(crate) meeting_id: String,
    pub(crate) transcript_id: String,
}

/// An analysis: `GET /api/ai/meetings/{meetingId}/analysis`, and what `analyses.result` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AnalysisView {
    pub(crate) summary: String,
    pub(crate) action_items: Vec<ActionItemView>,
    pub(crate) decisions: Vec<String>,
    pub(crate) schedule_suggestions: Vec<SuggestionView>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ActionItemView {
    pub(crate) title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) assignee_id: Option<Uuid>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) assignee_name: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) due_date: Option<String>,
    /// When a time of day was stated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) due_at: Option<DateTime<Utc>>,
}

/// A suggested follow-up meeting; `icsUrl` downloads it as iCalendar.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SuggestionView {
    pub(crate) id: Uuid,
    pub(crate) title: String,
    pub(crate) start: DateTime<Utc>,
    pub(crate) end: DateTime<Utc>,
    pub(crate) duration_minutes: u32,
    pub(crate) participant_ids: Vec<Uuid>,
    pub(crate) reason: String,
    pub(crate) ics_url: String,
}

/// The `result` of a COMPLETED `ai-summary` task.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SummaryResult {
    pub(crate) analysis_id: Uuid,
    pub(crate) summary: String,
    pub(crate) action_items: Vec<ActionItemView>,
    pub(crate) decisions: Vec<String>,
    /// `builtin` or the chat model that produced it.
    pub(crate) engine: String,
}

/// The `result` of a COMPLETED `ai-schedule` task (seed §3.5: `{scheduleId, schedules}`);
/// `scheduleId` is the analysis id, and `GET /api/ai/schedules/{scheduleId}.ics` gives
/// every suggestion at once.
#[derive(Debug, Clone, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ScheduleResult {
    pub(crate) schedule_id: Uuid,
    pub(crate) schedules: Vec<SuggestionView>,
    pub(crate) engine: String,
}

impl From<&ActionItemView> for ActionItemRef {
    fn from(a: &ActionItemView) -> Self {
        Self {
            title: a.title.clone(),
            assignee_id: a.assignee_id,
            assignee_name: a.assignee_name.clone(),
            due_date: a.due_date.clone(),
            due_at: a.due_at,
        }
    }
}

impl From<&SuggestionView> for ScheduleSuggestionRef {
    fn from(s: &SuggestionView) -> Self {
        Self {
            id: s.id,
            title: s.title.clone(),
            start: s.start,
            duration_minutes: s.duration_minutes,
            participant_ids: s.participant_ids.clone(),
            reason: s.reason.clone(),
        }
    }
}
