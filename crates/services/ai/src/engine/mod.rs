//! The meeting-analysis engine: turns a meeting's transcript into a summary, action items,
//! decisions and a follow-up suggestion.
//!
//! [`AnalysisEngine`] is the object-safe seam; [`BuiltinEngine`] is the embedded, pure
//! implementation (no I/O), built from small rule-based passes:
//! `sentences` (splitting and speaker turns), `summary` (TextRank), `actions` (commitments and
//! assignments, Korean in `actions_ko` and `actions_ko_title`, English in `actions_en`), `dates` (relative date and
//! time expressions), `names` (participant matching), `decisions` and `schedule`.

mod actions;
mod actions_en;
mod actions_ko;
mod actions_ko_title;
mod date_rules;
mod dates;
mod decisions;
mod names;
mod schedule;
mod sentences;
mod summary;
#[cfg(test)]
mod tests;

use async_trait::async_trait;
use chrono::{DateTime, FixedOffset, NaiveDate, Utc};
use regex::Regex;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// The language a meeting was held in.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Ko,
    En,
}

impl Lang {
    /// Korean when at least a fifth of the letters are Hangul, English otherwise.
    pub fn detect(text: &str) -> Lang {
        let (mut hangul, mut latin) = (0usize, 0usize);
        for c in text.chars() {
            if sentences::is_hangul(c) {
                hangul += 1;
            } else if c.is_ascii_alphabetic() {
                latin += 1;
            }
        }
        if hangul > 0 && hangul * 5 >= hangul + latin {
            Lang::Ko
        } else {
            Lang::En
        }
    }
}

/// Someone who takes part in the meeting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Participant {
    pub id: Uuid,
    pub name: String,
}

/// One speaker turn (or a block of notes) of the transcript.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Section {
    pub speaker: Option<String>,
    pub speaker_id: Option<Uuid>,
    pub text: String,
}

/// Everything the engine needs to know about one meeting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalysisInput {
    pub meeting_title: String,
    pub meeting_date: DateTime<Utc>,
    /// The meeting's UTC offset, serialised as `"+09:00"`; relative dates are read in it.
    #[serde(with = "offset_serde")]
    pub timezone: FixedOffset,
    pub language: Lang,
    pub participants: Vec<Participant>,
    pub sections: Vec<Section>,
}

/// A task someone took on or was given.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ActionItem {
    pub title: String,
    pub assignee_id: Option<Uuid>,
    pub assignee_name: Option<String>,
    pub due_date: Option<NaiveDate>,
    /// Set when a time of day was given as well.
    pub due_at: Option<DateTime<Utc>>,
    /// The index, into [`AnalysisInput::sections`], of the section the item was found in
    /// (for a task asked on one line and taken on in another, where it was taken on);
    /// `None` when unknown.
    #[serde(default)]
    pub section_index: Option<usize>,
}

/// A proposed follow-up meeting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ScheduleSuggestion {
    pub title: String,
    pub start: DateTime<Utc>,
    pub duration_minutes: u32,
    pub participant_ids: Vec<Uuid>,
    pub reason: String,
}

/// What an engine makes of a meeting.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Analysis {
    pub summary: String,
    pub action_items: Vec<ActionItem>,
    pub decisions: Vec<String>,
    /// Parallel to `decisions`: the index, into [`AnalysisInput::sections`], of the section
    /// each decision was found in, `None` when unknown.
    #[serde(default)]
    pub decision_sections: Vec<Option<usize>>,
    pub schedule_suggestions: Vec<ScheduleSuggestion>,
}

/// Why an engine could not analyse a meeting.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
pub enum EngineError {
    /// The input cannot be analysed (for example, nothing was said).
    #[error("invalid analysis input: {0}")]
    InvalidInput(String),
    /// The engine's backend could not be reached or refused the request.
    #[error("analysis engine unavailable: {0}")]
    Unavailable(String),
    /// The backend answered, but not with a usable analysis.
    #[error("analysis engine returned an invalid result: {0}")]
    InvalidOutput(String),
    /// The backend did not answer in time.
    #[error("analysis engine timed out")]
    Timeout,
}

/// Something that analyses meetings; held as `Arc<dyn AnalysisEngine>`.
#[async_trait]
pub trait AnalysisEngine: Send + Sync + 'static {
    /// A short, stable name for logs and metrics.
    fn name(&self) -> &str;
    async fn analyze(&self, input: &AnalysisInput) -> Result<Analysis, EngineError>;
}

/// The embedded, rule-based engine: deterministic and free of I/O.
#[derive(Clone, Copy, Debug, Default)]
pub struct BuiltinEngine;

impl BuiltinEngine {
    /// The analysis itself, synchronously.
    pub fn analyze_now(&self, input: &AnalysisInput) -> Analysis {
        let ctx = dates::DateContext::new(input.meeting_date, input.timezone);
        let directory = names::Directory::new(&input.participants);
        let utterances = sentences::utterances(&input.sections, &directory);
        let texts: Vec<&str> = utterances.iter().map(|u| u.text.as_str()).collect();
        let (decisions, decision_sections) = decisions::extract(&texts)
            .into_iter()
            .map(|(text, at)| (text, utterances.get(at).map(|u| u.section)))
            .unzip();
        Analysis {
            summary: summary::summarize(&texts),
            action_items: actions::extract(&utterances, &directory, &ctx),
            decisions,
            decision_sections,
            schedule_suggestions: schedule::suggest(input, &texts, &ctx).into_iter().collect(),
        }
    }
}

#[async_trait]
impl AnalysisEngine for BuiltinEngine {
    fn name(&self) -> &str {
        "builtin"
    }

    async fn analyze(&self, input: &AnalysisInput) -> Result<Analysis, EngineError> {
        Ok(self.analyze_now(input))
    }
}

/// `FixedOffset` as `"+09:00"`.
/// Compiles one of the engine's patterns. Every pattern is a literal (or built from literal
/// constants), compiled on first use, so one that does not compile fails every test run; it
/// never depends on input.
#[allow(clippy::expect_used)] // literal patterns only, see above
pub(crate) fn re(pattern: &str) -> Regex {
    Regex::new(pattern).expect("the engine's literal patterns compile")
}

mod offset_serde {
    use chrono::FixedOffset;
    use serde::{Deserialize, Deserializer, Serializer};

    pub(super) fn serialize<S: Serializer>(offset: &FixedOffset, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(offset)
    }

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<FixedOffset, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}
