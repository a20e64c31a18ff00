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
use crate::repository::{self, ChunkRecord, ChunkStatus, TranscriptRecord};

/// Consecutive segments of one speaker merge into a section while the pause between them is
/// at most this long…
const MERGE_GAP_MS: u64 = 2_000;
/// …and the section stays at most this long (sections are what people verify one by one).
const MAX_SECTION_MS: u64 = 60_000;

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
}

impl Origin {
    /// From the settled chunks of a job: each segment placed on the meeting's timeline
    /// (chunk offset + segment time), attributed to its track's participant (or matched
    /// from the engine's speaker label), sorted by time, and merged per speaker. Failed
    /// chunks become warnings naming the missing stretch.
    pub(crate) fn chunks(
        e: &MeetingEnded,
        chunks: &[ChunkRecord],
        mut warnings: Vec<String>,
        task: String,
    ) -> Self {
        let people = participants_of(e);
        let roster = Roster::new(&people);
        let name_of = |id: Uuid| {
            people
                .iter()
                .find(|p| p.user_id == id)
                .map(|p| p.name.clone())
                .filter(|n| !n.is_empty())
        };
        let mut timed: Vec<(u64, u32, DraftSection)> = Vec::new();
        for chunk in chunks {
            match (chunk.status, &chunk.result) {
                (ChunkStatus::Done, Some(output)) => {
                    for seg in &output.segments {
                        let text = seg.text.trim();
                        if text.is_empty() {
                            continue;
                        }
                        let start = chunk.start_ms + seg.start_ms;
                        let end = (chunk.start_ms + seg.end_ms.max(seg.start_ms)).min(chunk.end_ms);
                        let (speaker, speaker_id) = match chunk.speaker_id {
                            Some(id) => (name_of(id), Some(id)),
                            None => {
                                let label = seg
                                    .speaker
                                    .as_deref()
                                    .map(str::trim)
                                    .filter(|s| !s.is_empty());
                                let matched = label.and_then(|l| roster.find(l));
                                let name = matched
                                    .as_ref()
                                    .map(|m| m.name.clone())
                                    .or(label.map(str::to_string));
                                (name, matched.map(|m| m.id))
                            }
                        };
                        timed.push((
                            start,
                            chunk.index,
                            DraftSection {
                                speaker,
                                speaker_id,
                                start_ms: Some(start),
                                end_ms: Some(end.max(start)),
                                text: text.to_string(),
                            },
                        ));
                    }
                }
                (ChunkStatus::Failed, _) => {
                    let whose = chunk
                        .speaker_id
                        .and_then(name_of)
                        .map(|n| format!(" of {n}'s recording"))
                        .unwrap_or_default();
                    warnings.push(format!(
                        "{}–{}{whose} is missing: speech-to-text failed ({})",
                        clock(chunk.start_ms),
                        clock(chunk.end_ms),
                        chunk.error.as_deref().unwrap_or("unknown error")
                    ));
                }
                _ => {}
            }
        }
        timed.sort_by_key(|(start, index, _)| (*start, *index));
        let mut sections: Vec<DraftSection> = Vec::new();
        for (_, _, next) in timed {
            if let Some(last) = sections.last_mut() {
                let same = next.speaker.is_some()
                    && last.speaker == next.speaker
                    && last.speaker_id == next.speaker_id;
                let (last_start, last_end) = (last.start_ms.unwrap_or(0), last.end_ms.unwrap_or(0));
                let next_start = next.start_ms.unwrap_or(0);
                let next_end = next.end_ms.unwrap_or(0);
                if same
                    && next_start.saturating_sub(last_end) <= MERGE_GAP_MS
                    && next_end.saturating_sub(last_start) <= MAX_SECTION_MS
                {
                    last.text.push(' ');
                    last.text.push_str(&next.text);
                    last.end_ms = Some(last_end.max(next_end));
                    continue;
                }
            }
            sections.push(next);
        }
        Self {
            source: Source::Recording,
            sections,
            warnings,
            stt_task_id: Some(task),
        }
    }
}

/// `m:ss` (or `h:mm:ss`) of a position in the meeting.
fn clock(ms: u64) -> String {
    let s = ms / 1000;
    let (h, m, s) = (s / 3600, (s / 60) % 60, s % 60);
    if h > 0 {
        format!("{h}:{m:02}:{s:02}")
    } else {
        format!("{m}:{s:02}")
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

/// Whether a recording that arrived after the end may replace the meeting's transcript:
/// only one made from the notes that nobody has verified, corrected or shared yet.
pub(crate) async fn replaceable(tx: &mut Tx, meeting: Uuid) -> Result<Option<Uuid>, ApiError> {
    let Some(id) = repository::id_for_meeting(tx, meeting).await? else {
        return Ok(None);
    };
    let Some(t) = repository::find(tx, id).await? else {
        return Ok(None);
    };
    if t.source != Source::Notes || !t.shared_with.is_empty() {
        return Ok(None);
    }
    let touched = repository::sections(tx, id)
        .await?
        .iter()
        .any(|s| s.verified || s.edited_by.is_some());
    Ok((!touched).then_some(id))
}

/// Replaces the transcript `old` (see [`replaceable`]) with one built from `origin`: the
/// old one is deleted and a new one (new id) is stored with its `transcript.created`, so the
/// minutes are analysed again from the recording.
pub(crate) async fn replace(
    outbox: &Outbox,
    tx: &mut Tx,
    e: &MeetingEnded,
    old: Uuid,
    origin: Origin,
) -> Result<Option<Uuid>, ApiError> {
    repository::delete(tx, old).await?;
    store(outbox, tx, e, origin).await
}
