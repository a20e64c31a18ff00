//! The minutes evaluation: meetings written the way people talk, with hand-written minutes
//! (`bench/minutes/data`, format and rules in `bench/minutes/README.md`), run through
//! Quorum's own path — notes → transcript sections ([`quorum_transcript::sections_of_notes`])
//! → engine input ([`quorum_ai::engine_input`]) → the built-in engine — and scored.
//!
//! Layout: this file loads the set and runs the engine; [`score`] compares one meeting's
//! analysis with its gold minutes and adds up the counts; `main.rs` prints the tables and
//! `tests/floor.rs` keeps the scores from falling below `floor.json`.

pub mod score;

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::{DateTime, FixedOffset, NaiveDate};
use quorum_ai::engine::{Analysis, BuiltinEngine};
use quorum_contracts::events::{ParticipantRef, TranscriptCreated};
use serde::Deserialize;
use uuid::Uuid;

/// Which part of the set a meeting is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Part {
    /// The engine may be tuned on these.
    Tune,
    /// Kept out of tuning: only their scores are looked at.
    Heldout,
}

impl Part {
    pub const ALL: [Part; 2] = [Part::Tune, Part::Heldout];

    pub fn name(self) -> &'static str {
        match self {
            Part::Tune => "tune",
            Part::Heldout => "heldout",
        }
    }
}

/// One meeting of the set, as its file has it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Meeting {
    pub id: String,
    pub language: String,
    #[serde(default)]
    pub domain: String,
    pub title: String,
    pub start: DateTime<FixedOffset>,
    pub participants: Vec<String>,
    pub notes: String,
    pub gold: Gold,
    #[serde(skip)]
    pub part: Option<Part>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Gold {
    pub action_items: Vec<GoldItem>,
    pub decisions: Vec<GoldDecision>,
    pub follow_up: Option<GoldFollowUp>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoldItem {
    pub assignee: Option<String>,
    pub title: String,
    #[serde(rename = "match")]
    pub match_words: Vec<String>,
    pub due: Option<NaiveDate>,
    #[serde(default)]
    pub line: Option<usize>,
    #[serde(default)]
    pub phenomena: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoldDecision {
    pub text: String,
    #[serde(rename = "match")]
    pub match_words: Vec<String>,
    #[serde(default)]
    pub line: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct GoldFollowUp {
    pub date: NaiveDate,
    pub time: Option<String>,
}

/// The set's folder: `bench/minutes/data`.
pub fn data_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("data")
}

/// Every meeting of the set, by part, in file-name order.
pub fn load(dir: &Path) -> anyhow::Result<Vec<Meeting>> {
    let mut meetings = Vec::new();
    for part in Part::ALL {
        let folder = dir.join(part.name());
        let mut files: Vec<PathBuf> = std::fs::read_dir(&folder)
            .with_context(|| format!("reading {}", folder.display()))?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "json"))
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file)
                .with_context(|| format!("reading {}", file.display()))?;
            let mut meeting: Meeting = serde_json::from_str(&text)
                .with_context(|| format!("parsing {}", file.display()))?;
            meeting.part = Some(part);
            meetings.push(meeting);
        }
    }
    Ok(meetings)
}

impl Meeting {
    /// A participant's id: the same name always gets the same id.
    pub fn id_of(name: &str) -> Uuid {
        Uuid::new_v5(
            &Uuid::NAMESPACE_URL,
            format!("quorum-eval:{name}").as_bytes(),
        )
    }

    fn people(&self) -> Vec<ParticipantRef> {
        self.participants
            .iter()
            .map(|name| ParticipantRef {
                user_id: Self::id_of(name),
                name: name.clone(),
                email: format!(
                    "{}@example.test",
                    name.to_lowercase().replace(char::is_whitespace, ".")
                ),
            })
            .collect()
    }

    /// The event the transcript service would publish for this meeting's notes.
    pub fn transcript(&self) -> TranscriptCreated {
        let people = self.people();
        let (sections, language) = quorum_transcript::sections_of_notes(&self.notes, &people);
        let start = self.start.to_utc();
        TranscriptCreated {
            transcript_id: Uuid::new_v5(&Uuid::NAMESPACE_URL, self.id.as_bytes()),
            meeting_id: Uuid::new_v5(&Uuid::NAMESPACE_OID, self.id.as_bytes()),
            meeting_title: self.title.clone(),
            owner_id: people.first().map(|p| p.user_id).unwrap_or_default(),
            participant_ids: people.iter().map(|p| p.user_id).collect(),
            participants: people,
            language,
            source: "NOTES".into(),
            meeting_date: start,
            sections,
            occurred_at: start,
        }
    }

    /// What the built-in engine makes of the meeting.
    pub fn analyze(&self) -> Analysis {
        let input = quorum_ai::engine_input(&self.transcript(), *self.start.offset());
        BuiltinEngine.analyze_now(&input)
    }
}
