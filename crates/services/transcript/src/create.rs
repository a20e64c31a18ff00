//! Creating a meeting's transcript, shared by the `meeting.ended` consumer, the
//! speech-to-text worker and the fallbacks: sections from the notes or from recognised
//! segments, then one insert with its `transcript.created` event, unless the meeting already
//! has a transcript (one per meeting, however often the event arrives).

use quorum_bus::Outbox;
use quorum_contracts::events::{MeetingEnded, ParticipantRef};
use quorum_store::{now_millis, Tx};
use uuid::Uuid;

use crate::domain::{detect_language, parse_notes, DraftSection, Roster, Source, TranscriptStatus};
use crate::error::ApiError;
use crate::repository::{self, TranscriptRecord};
use crate::stt::SttSegment;

/// How the sections were made.
#[derive(Debug, Clone)]
pub(crate) struct Origin {
    pub(crate) source: Source,
    pub(crate) sections: Vec<DraftSection>,
    pub(crate) warnings: Vec<String>,
    pub(crate) stt_task_id: Option<String>,
}

impl Origin {
    /// From the meeting notes, with `warning` when a recording could not be used.
    pub(crate) fn notes(e: &MeetingEnded, warning: Option<String>, task: Option<String>) -> Self {
        let roster = Roster::new(&participants_of(e));
        Self {
            source: Source::Notes,
            sections: parse_notes(e.notes.as_deref().unwrap_or(""), &roster),
            warnings: warning.into_iter().collect(),
            stt_task_id: task,
        }
    }

    /// From recognised segments: speaker labels matched to participants, consecutive
    /// segments of one named speaker merged.
    pub(crate) fn recording(e: &MeetingEnded, segments: Vec<SttSegment>, task: String) -> Self {
        let roster = Roster::new(&participants_of(e));
        let mut sections: Vec<DraftSection> = Vec::new();
        for seg in segments {
            let text = seg.text.trim();
            if text.is_empty() {
                continue;
            }
            let speaker = seg
                .speaker
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty());
            let matched = speaker.and_then(|s| roster.find(s));
            let name = matched
                .as_ref()
                .map(|m| m.name.clone())
                .or(speaker.map(str::to_string));
            let id = matched.map(|m| m.id);
            match sections.last_mut() {
                Some(last) if name.is_some() && last.speaker == name && last.speaker_id == id => {
                    last.text.push(' ');
                    last.text.push_str(text);
                    last.end_ms = Some(seg.end_ms);
                }
                _ => sections.push(DraftSection {
                    speaker: name,
                    speaker_id: id,
                    start_ms: Some(seg.start_ms),
                    end_ms: Some(seg.end_ms),
                    text: text.to_string(),
                }),
            }
        }
        Self {
            source: Source::Recording,
            sections,
            warnings: Vec::new(),
            stt_task_id: Some(task),
        }
    }
}

/// The named participants of the event, plus any id it lists without a name.
pub(crate) fn participants_of(e: &MeetingEnded) -> Vec<ParticipantRef> {
    let mut all = e.participants.clone();
    for id in e.participant_ids.iter().chain([&e.owner_id]) {
        if !all.iter().any(|p| p.user_id == *id) {
            all.push(ParticipantRef {
                user_id: *id,
                name: String::new(),
                email: String::new(),
            });
        }
    }
    all
}

/// Inserts the transcript and writes `transcript.created` in `tx`. Returns the new id, or
/// `None` when the meeting already has a transcript (nothing is written then).
pub(crate) async fn store(
    outbox: &Outbox,
    tx: &mut Tx,
    e: &MeetingEnded,
    origin: Origin,
) -> Result<Option<Uuid>, ApiError> {
    if repository::id_for_meeting(tx, e.meeting_id)
        .await?
        .is_some()
    {
        return Ok(None);
    }
    let now = now_millis();
    let language = detect_language(origin.sections.iter().map(|s| s.text.as_str()));
    let record = TranscriptRecord {
        id: Uuid::now_v7(),
        meeting_id: e.meeting_id,
        meeting_title: e.meeting_title.clone(),
        owner_id: e.owner_id,
        status: TranscriptStatus::Draft,
        language: language.to_string(),
        source: origin.source,
        warnings: origin.warnings,
        participants: participants_of(e),
        meeting_date: e.scheduled_time.unwrap_or(e.end_time).timestamp_millis(),
        stt_task_id: origin.stt_task_id,
        shared_with: Vec::new(),
        created_at: now,
        updated_at: now,
    };
    repository::insert(tx, &record, &origin.sections).await?;
    crate::events::created(outbox, tx, &record, &origin.sections).await?;
    tracing::info!(
        transcript = %record.id,
        meeting = %record.meeting_id,
        source = %record.source,
        sections = origin.sections.len(),
        language,
        "transcript created"
    );
    Ok(Some(record.id))
}
