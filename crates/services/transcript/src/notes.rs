//! What a meeting's notes become as a transcript, for tools that look at the minutes
//! pipeline without the services running (`bench/minutes`, the minutes evaluation).

use quorum_contracts::events::{ParticipantRef, SectionRef};

use crate::domain::{detect_language, parse_notes, Roster};

/// The sections and language (`ko` or `en`) of the transcript made of `notes` when a meeting
/// of `participants` ends — exactly as the `meeting.ended` consumer makes them.
pub fn sections_of_notes(
    notes: &str,
    participants: &[ParticipantRef],
) -> (Vec<SectionRef>, String) {
    let sections = parse_notes(notes, &Roster::new(participants));
    let language = detect_language(sections.iter().map(|s| s.text.as_str()));
    let refs = (0_u32..)
        .zip(&sections)
        .map(|(index, s)| SectionRef {
            index,
            speaker: s.speaker.clone(),
            speaker_id: s.speaker_id,
            start_ms: s.start_ms,
            end_ms: s.end_ms,
            text: s.text.clone(),
        })
        .collect();
    (refs, language.to_string())
}
