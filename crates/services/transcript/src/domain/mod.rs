//! The transcript domain: parsing notes into sections, matching speakers to participants,
//! language detection, and the transcript's status. Nothing here knows about HTTP or SQL.

mod language;
mod notes;
mod speakers;
mod status;

pub(crate) use language::detect as detect_language;
pub(crate) use notes::parse as parse_notes;
pub(crate) use speakers::Roster;
pub(crate) use status::{
    SectionText, Source, TranscriptStatus, ValidationError, SECTION_MAX_CHARS,
};

use uuid::Uuid;

/// A section before it is stored: who spoke, when (for recordings), and what.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DraftSection {
    pub(crate) speaker: Option<String>,
    pub(crate) speaker_id: Option<Uuid>,
    pub(crate) start_ms: Option<u64>,
    pub(crate) end_ms: Option<u64>,
    pub(crate) text: String,
}

impl DraftSection {
    pub(crate) fn spoken(speaker: String, speaker_id: Option<Uuid>, text: &str) -> Self {
        Self {
            speaker: Some(speaker),
            speaker_id,
            start_ms: None,
            end_ms: None,
            text: text.to_string(),
        }
    }

    pub(crate) fn text(text: &str) -> Self {
        Self {
            speaker: None,
            speaker_id: None,
            start_ms: None,
            end_ms: None,
            text: text.to_string(),
        }
    }

    /// Appends a line (a line break between non-empty parts).
    pub(crate) fn push_line(&mut self, line: &str) {
        if line.is_empty() {
            return;
        }
        if !self.text.is_empty() {
            self.text.push('\n');
        }
        self.text.push_str(line);
    }
}
