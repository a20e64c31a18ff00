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
    #[schema(value_type = Uuid)]
    pub(crate) meeting_id: String,
    #[schema(value_type = Uuid)]
    pub(crate) transcript_id: String,
}

/// An analysis: `GET /api/ai/meetings/{meetingId}/analysis`, and what `analyses.result` holds.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct AnalysisView {
    pub(crate) summary: String,
    pub(crate) action_items: Vec<ActionItemView>,
    pub(crate) decisions: Vec<String>,
    /// Parallel to `decisions` (same length, same order): the 0-based index, into the
    /// transcript's `sections` (as `GET /api/transcripts/{id}` returns them), of the section
    /// each decision was found in, or null when unknown.
    #[serde(default)]
    pub(crate) decision_sections: Vec<Option<u32>>,
    pub(crate) schedule_suggestions: Vec<SuggestionView>,
}

impl AnalysisView {
    /// Makes `decisionSections` as long as `decisions`: a document stored before it existed
    /// (empty) gets null for every decision.
    pub(crate) fn aligned(mut self) -> Self {
        self.decision_sections.resize(self.decisions.len(), None);
        self
    }
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
    /// The 0-based index, into the transcript's `sections` (as `GET /api/transcripts/{id}`
    /// returns them), of the section the item was found in; for a task asked in one section
    /// and accepted in another, the one where it was accepted. Absent when unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) section_index: Option<u32>,
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
    /// Parallel to `decisions`: each one's section index, or null (as in [`AnalysisView`]).
    pub(crate) decision_sections: Vec<Option<u32>>,
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
            section_index: a.section_index,
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

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{ActionItemView, AnalysisView};

    fn item(section_index: Option<u32>) -> ActionItemView {
        ActionItemView {
            title: "Update the budget".into(),
            assignee_id: None,
            assignee_name: Some("Minji".into()),
            due_date: None,
            due_at: None,
            section_index,
        }
    }

    #[test]
    fn the_analysis_json_links_items_and_decisions_to_sections() {
        let view = AnalysisView {
            summary: "s".into(),
            action_items: vec![item(Some(2)), item(None)],
            decisions: vec!["Ship Friday".into(), "Keep the vendor".into()],
            decision_sections: vec![Some(4), None],
            schedule_suggestions: vec![],
        };
        let value = serde_json::to_value(&view).unwrap();
        assert_eq!(value["actionItems"][0]["sectionIndex"], 2);
        assert!(value["actionItems"][1].get("sectionIndex").is_none());
        assert_eq!(
            value["decisions"],
            json!(["Ship Friday", "Keep the vendor"])
        );
        assert_eq!(value["decisionSections"], json!([4, null]));
    }

    #[test]
    fn a_document_stored_before_the_fields_still_reads() {
        let old = json!({
            "summary": "s",
            "actionItems": [{"title": "Update the budget", "assigneeName": "Minji"}],
            "decisions": ["Ship Friday", "Keep the vendor"],
            "scheduleSuggestions": []
        });
        let doc = crate::repository::doc(&old.to_string()).unwrap();
        assert_eq!(doc.action_items, [item(None)]);
        assert_eq!(doc.decision_sections, [None, None]);
        let value = serde_json::to_value(&doc).unwrap();
        assert_eq!(value["decisionSections"], json!([null, null]));
    }

    #[test]
    fn the_openapi_description_has_the_section_fields() {
        let api = serde_json::to_value(crate::Ai::openapi()).unwrap();
        let schemas = &api["components"]["schemas"];
        let index = &schemas["ActionItemView"]["properties"]["sectionIndex"];
        assert!(index.is_object(), "{index}");
        assert!(
            index["description"]
                .as_str()
                .unwrap()
                .contains("transcript's `sections`"),
            "{index}"
        );
        let sections = &schemas["AnalysisView"]["properties"]["decisionSections"];
        assert_eq!(sections["type"], "array", "{sections}");
        assert!(
            sections["description"]
                .as_str()
                .unwrap()
                .contains("Parallel to `decisions`"),
            "{sections}"
        );
        assert!(schemas["SummaryResult"]["properties"]["decisionSections"].is_object());
    }
}
