//! The model's answer into an [`Analysis`], checked: the content must be a JSON object in
//! the schema with a summary (otherwise it is junk and the built-in engine answers); within
//! it, an unknown assignee is dropped (or matched by name), an unparsable date is dropped,
//! a section index that is not one of the transcript's sections is dropped, and a
//! suggestion without a valid start is left out — the model may not invent people, dates
//! or lines.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Deserialize;
use serde_json::Value;
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
    decisions: Vec<WireDecision>,
    #[serde(default)]
    schedule_suggestions: Vec<WireSuggestion>,
}

/// A decision as asked for (`{"text", "sectionIndex"}`), or a plain string.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum WireDecision {
    Text(String),
    Located {
        #[serde(alias = "decision")]
        text: String,
        #[serde(default, rename = "sectionIndex")]
        section_index: Option<Value>,
    },
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
    /// Any JSON: a wrong type drops the index, not the answer.
    #[serde(default)]
    section_index: Option<Value>,
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
                section_index: section(i.section_index.as_ref(), input.sections.len()),
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
    let (decisions, decision_sections) = wire
        .decisions
        .into_iter()
        .map(|d| match d {
            WireDecision::Text(text) => (text, None),
            WireDecision::Located {
                text,
                section_index,
            } => (text, section(section_index.as_ref(), input.sections.len())),
        })
        .map(|(text, at)| (text.trim().to_string(), at))
        .filter(|(text, _)| !text.is_empty())
        .unzip();
    Ok(Analysis {
        summary: wire.summary.trim().to_string(),
        action_items,
        decisions,
        decision_sections,
        schedule_suggestions,
    })
}

/// A section index the model gave (`3`, or `"3"` / `"[3]"` as a string), when it is one of
/// the `sections` lines it was shown.
fn section(raw: Option<&Value>, sections: usize) -> Option<usize> {
    let index = match raw? {
        Value::Number(n) => usize::try_from(n.as_u64()?).ok()?,
        Value::String(s) => s.trim().trim_matches(['[', ']']).trim().parse().ok()?,
        _ => return None,
    };
    (index < sections).then_some(index)
}

fn instant(raw: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(raw.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}
