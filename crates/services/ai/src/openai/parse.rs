//! The model's answer into an [`Analysis`], checked: the content must be a JSON object in
//! the schema with a summary (otherwise it is junk and the built-in engine answers); within
//! it, an unknown assignee is dropped (or matched by name), an unparsable date is dropped,
//! and a suggestion without a valid start is left out — the model may not invent people or
//! dates.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use uuid::Uuid;

use crate::engine::{ActionItem, Analysis, AnalysisInput, ScheduleSuggestion};

#[derive(Debug, Deserialize)]
struct Completion {
    choices: Vec<Choice>,
}

#[derive(Debug, Deserialize)]
struct Choice {
    message: ChoiceMessage,
}

#[derive(Debug, Deserialize)]
struct ChoiceMessage {
    content: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Wire {
    summary: String,
    #[serde(default)]
    action_items: Vec<WireItem>,
    #[serde(default)]
    decisions: Vec<String>,
    #[serde(default)]
    schedule_suggestions: Vec<WireSuggestion>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireItem {
    title: String,
    #[serde(default)]
    assignee_id: Option<String>,
    #[serde(default)]
    assignee_name: Option<String>,
    #[serde(default)]
    due_date: Option<String>,
    #[serde(default)]
    due_at: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct WireSuggestion {
    title: String,
    start: String,
    #[serde(default)]
    duration_minutes: Option<u32>,
    #[serde(default)]
    participant_ids: Vec<String>,
    #[serde(default)]
    reason: String,
}

/// The content of the first choice of a chat completion body.
pub(crate) fn content(body: &[u8]) -> Result<String, String> {
    let c: Completion =
        serde_json::from_slice(body).map_err(|e| format!("not a chat completion: {e}"))?;
    c.choices
        .into_iter()
        .next()
        .and_then(|c| c.message.content)
        .ok_or_else(|| "the completion has no content".to_string())
}

/// Parses and checks the model's JSON against the meeting it analysed.
pub(crate) fn analysis(content: &str, input: &AnalysisInput) -> Result<Analysis, String> {
    let trimmed = content.trim();
    let json = trimmed
        .strip_prefix("```json")
        .or_else(|| trimmed.strip_prefix("```"))
        .and_then(|s| s.strip_suffix("```"))
        .unwrap_or(trimmed);
    let wire: Wire = serde_json::from_str(json).map_err(|e| format!("not the schema: {e}"))?;
    if wire.summary.trim().is_empty() {
        return Err("the summary is empty".into());
    }
    let participant = |raw: Option<&str>| {
        raw.and_then(|r| Uuid::parse_str(r.trim()).ok())
            .filter(|id| input.participants.iter().any(|p| p.id == *id))
    };
    let action_items = wire
        .action_items
        .into_iter()
        .filter(|i| !i.title.trim().is_empty())
        .map(|i| {
            let by_name = i.assignee_name.as_deref().and_then(|n| {
                let n = n.trim();
                input
                    .participants
                    .iter()
                    .find(|p| !n.is_empty() && p.name == n)
                    .map(|p| p.id)
            });
            let assignee_id = participant(i.assignee_id.as_deref()).or(by_name);
            let assignee_name = assignee_id.and_then(|id| {
                input
                    .participants
                    .iter()
                    .find(|p| p.id == id)
                    .map(|p| p.name.clone())
            });
            ActionItem {
                title: i.title.trim().to_string(),
                assignee_id,
                assignee_name,
                due_date: i
                    .due_date
                    .as_deref()
                    .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok()),
                due_at: i.due_at.as_deref().and_then(instant),
            }
        })
        .collect();
    let schedule_suggestions = wire
        .schedule_suggestions
        .into_iter()
        .filter(|s| !s.title.trim().is_empty())
        .filter_map(|s| {
            Some(ScheduleSuggestion {
                title: s.title.trim().to_string(),
                start: instant(&s.start)?,
                duration_minutes: s
                    .duration_minutes
                    .filter(|m| (5..=24 * 60).contains(m))
                    .unwrap_or(30),
                participant_ids: s
                    .participant_ids
                    .iter()
                    .filter_map(|id| participant(Some(id)))
                    .collect(),
                reason: s.reason,
            })
        })
        .collect();
    Ok(Analysis {
        summary: wire.summary.trim().to_string(),
        action_items,
        decisions: wire
            .decisions
            .into_iter()
            .map(|d| d.trim().to_string())
            .filter(|d| !d.is_empty())
            .collect(),
        schedule_suggestions,
    })
}

fn instant(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
