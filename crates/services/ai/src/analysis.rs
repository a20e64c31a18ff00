//! The glue between the stored transcript, the engine and the stored analysis: the engine's
//! input from a `transcript.created` payload, who may see it, and the engine's output as the
//! stored document (suggestions get ids here).

use chrono::{Duration, FixedOffset};
use quorum_contracts::events::TranscriptCreated;
use uuid::Uuid;

use crate::app::AppState;
use crate::engine::{Analysis, AnalysisInput, EngineError, Lang, Participant, Section};
use crate::repository::AnalysisRecord;
use crate::views::{ActionItemView, AnalysisView, SuggestionView};

/// Analyses transcript `t` with the configured engine: the record to store, or why the
/// engine failed. The automatic analysis and the requested one both run through here.
pub(crate) async fn run(
    state: &AppState,
    t: &TranscriptCreated,
) -> Result<AnalysisRecord, EngineError> {
    let produced = state.analyzer.analyze(&input(t, state.timezone)).await?;
    Ok(AnalysisRecord {
        id: Uuid::now_v7(),
        meeting_id: t.meeting_id,
        transcript_id: t.transcript_id,
        engine: produced.engine,
        doc: view(&produced.analysis),
    })
}

/// The engine that "produced" an [`empty`] analysis.
pub(crate) const NO_ENGINE: &str = "none";

/// The analysis of transcript `t` when no engine could make one (nothing was said, or the
/// engine kept failing): no summary, no action items, no decisions, no suggestions, engine
/// [`NO_ENGINE`]. The automatic analysis stores and announces it all the same, so the
/// meeting's minutes are complete (the meeting service waits for `ai.analysis.completed`);
/// a summary can still be requested later.
pub(crate) fn empty(t: &TranscriptCreated) -> AnalysisRecord {
    let nothing = Analysis {
        summary: String::new(),
        action_items: Vec::new(),
        decisions: Vec::new(),
        decision_sections: Vec::new(),
        schedule_suggestions: Vec::new(),
    };
    AnalysisRecord {
        id: Uuid::now_v7(),
        meeting_id: t.meeting_id,
        transcript_id: t.transcript_id,
        engine: NO_ENGINE.to_string(),
        doc: view(&nothing),
    }
}

/// The public path of a suggestion's iCalendar file.
pub(crate) fn ics_url(id: Uuid) -> String {
    format!("/api/ai/schedules/{id}.ics")
}

/// `ko` (and anything unknown, the product's default) or `en`.
pub(crate) fn lang(code: &str) -> Lang {
    if code.trim().to_ascii_lowercase().starts_with("en") {
        Lang::En
    } else {
        Lang::Ko
    }
}

/// Everyone who takes part in the transcript's meeting.
pub(crate) fn participant_ids(t: &TranscriptCreated) -> Vec<Uuid> {
    let mut ids = vec![t.owner_id];
    let named = t.participants.iter().map(|p| p.user_id);
    for id in t.participant_ids.iter().copied().chain(named) {
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    ids
}

pub(crate) fn may_see(t: &TranscriptCreated, user: Uuid) -> bool {
    participant_ids(t).contains(&user)
}

/// The engine's input made of a `transcript.created` event, read in `timezone`. Participants
/// without a name in the event keep an empty one.
pub fn input(t: &TranscriptCreated, timezone: FixedOffset) -> AnalysisInput {
    let participants = participant_ids(t)
        .into_iter()
        .map(|id| Participant {
            id,
            name: t
                .participants
                .iter()
                .find(|p| p.user_id == id)
                .map(|p| p.name.clone())
                .unwrap_or_default(),
        })
        .collect();
    let sections = t
        .sections
        .iter()
        .map(|s| Section {
            speaker: s.speaker.clone(),
            speaker_id: s.speaker_id,
            text: s.text.clone(),
        })
        .collect();
    AnalysisInput {
        meeting_title: t.meeting_title.clone(),
        meeting_date: t.meeting_date,
        timezone,
        language: lang(&t.language),
        participants,
        sections,
    }
}

/// A section index as the API writes it.
fn index(i: usize) -> Option<u32> {
    u32::try_from(i).ok()
}

/// The stored document of `a`; each schedule suggestion gets a fresh id, and
/// `decisionSections` is exactly as long as `decisions` whatever the engine gave.
pub(crate) fn view(a: &Analysis) -> AnalysisView {
    AnalysisView {
        summary: a.summary.clone(),
        action_items: a
            .action_items
            .iter()
            .map(|i| ActionItemView {
                title: i.title.clone(),
                assignee_id: i.assignee_id,
                assignee_name: i.assignee_name.clone(),
                due_date: i.due_date.map(|d| d.format("%Y-%m-%d").to_string()),
                due_at: i.due_at,
                section_index: i.section_index.and_then(index),
            })
            .collect(),
        decisions: a.decisions.clone(),
        decision_sections: (0..a.decisions.len())
            .map(|n| {
                a.decision_sections
                    .get(n)
                    .copied()
                    .flatten()
                    .and_then(index)
            })
            .collect(),
        schedule_suggestions: a
            .schedule_suggestions
            .iter()
            .map(|s| {
                let id = Uuid::now_v7();
                SuggestionView {
                    id,
                    title: s.title.clone(),
                    start: s.start,
                    end: s.start + Duration::minutes(i64::from(s.duration_minutes)),
                    duration_minutes: s.duration_minutes,
                    participant_ids: s.participant_ids.clone(),
                    reason: s.reason.clone(),
                    ics_url: ics_url(id),
                }
            })
            .collect(),
    }
}
