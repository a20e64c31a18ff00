//! The meeting status machine:
//!
//! ```text
//! SCHEDULED ──start──▶ IN_PROGRESS ──end──▶ ENDED ──minutes ready──▶ MINUTES_READY
//!     │                     │
//!     └──────cancel─────────┴──────▶ CANCELLED
//! ```
//!
//! "Minutes ready" is the AI service's `ai.analysis.completed` for the meeting (see
//! `pipeline.rs`): by then its transcript and its analysis can both be read.
//!
//! Editing the meeting and writing notes do not change the status but are only allowed while
//! the meeting is still open (SCHEDULED or IN_PROGRESS).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum MeetingStatus {
    Scheduled,
    InProgress,
    Ended,
    MinutesReady,
    Cancelled,
}

impl MeetingStatus {
    pub(crate) const ALL: [MeetingStatus; 5] = [
        Self::Scheduled,
        Self::InProgress,
        Self::Ended,
        Self::MinutesReady,
        Self::Cancelled,
    ];

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Scheduled => "SCHEDULED",
            Self::InProgress => "IN_PROGRESS",
            Self::Ended => "ENDED",
            Self::MinutesReady => "MINUTES_READY",
            Self::Cancelled => "CANCELLED",
        }
    }

    /// The status after `action`, or why `action` is not allowed now.
    pub(crate) fn apply(self, action: Action) -> Result<MeetingStatus, TransitionError> {
        use MeetingStatus::*;
        let next = match (action, self) {
            (Action::Start, Scheduled) => InProgress,
            (Action::End, InProgress) => Ended,
            (Action::Cancel, Scheduled | InProgress) => Cancelled,
            (Action::MarkMinutesReady, Ended) => MinutesReady,
            (Action::Edit | Action::WriteNotes, Scheduled | InProgress) => self,
            (Action::Record, Scheduled | InProgress | Ended | MinutesReady) => self,
            _ => {
                return Err(TransitionError {
                    current: self,
                    action,
                })
            }
        };
        Ok(next)
    }
}

impl fmt::Display for MeetingStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for MeetingStatus {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .into_iter()
            .find(|st| st.as_str() == s)
            .ok_or_else(|| {
                let all: Vec<&str> = Self::ALL.iter().map(|s| s.as_str()).collect();
                format!("`status` must be one of {} (got `{s}`)", all.join(", "))
            })
    }
}

/// Something a user (or the minutes pipeline) does to a meeting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Action {
    Start,
    End,
    Cancel,
    Edit,
    WriteNotes,
    /// Upload a recording (any time before or after the meeting, unless it was cancelled).
    Record,
    /// Reserved for the transcript.created consumer (a later issue).
    #[allow(dead_code)]
    MarkMinutesReady,
}

impl Action {
    /// What must be true for the action, completing "meeting is X; …".
    fn requirement(self) -> &'static str {
        match self {
            Action::Start => "only a SCHEDULED meeting can be started",
            Action::End => "only an IN_PROGRESS meeting can be ended",
            Action::Cancel => "only a SCHEDULED or IN_PROGRESS meeting can be cancelled",
            Action::Edit => "only a SCHEDULED or IN_PROGRESS meeting can be edited",
            Action::WriteNotes => {
                "notes can only be written while a meeting is SCHEDULED or IN_PROGRESS"
            }
            Action::MarkMinutesReady => "only an ENDED meeting can have its minutes ready",
            Action::Record => "a cancelled meeting takes no recordings",
        }
    }
}

/// An action that the current status does not allow (a 409).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("meeting is {current}; {}", action.requirement())]
pub(crate) struct TransitionError {
    pub(crate) current: MeetingStatus,
    pub(crate) action: Action,
}

#[cfg(test)]
mod tests {
    use super::MeetingStatus::*;
    use super::*;

    #[test]
    fn happy_path_runs_to_minutes_ready() {
        let s = Scheduled.apply(Action::Start).unwrap();
        assert_eq!(s, InProgress);
        let s = s.apply(Action::End).unwrap();
        assert_eq!(s, Ended);
        assert_eq!(s.apply(Action::MarkMinutesReady).unwrap(), MinutesReady);
    }

    #[test]
    fn cancel_only_from_open_states() {
        assert_eq!(Scheduled.apply(Action::Cancel).unwrap(), Cancelled);
        assert_eq!(InProgress.apply(Action::Cancel).unwrap(), Cancelled);
        for s in [Ended, MinutesReady, Cancelled] {
            assert!(s.apply(Action::Cancel).is_err(), "{s}");
        }
    }

    #[test]
    fn every_disallowed_pair_is_an_error_with_a_message() {
        let actions = [
            Action::Start,
            Action::End,
            Action::Cancel,
            Action::Edit,
            Action::WriteNotes,
            Action::Record,
            Action::MarkMinutesReady,
        ];
        let mut allowed = 0;
        for s in MeetingStatus::ALL {
            for a in actions {
                match s.apply(a) {
                    Ok(_) => allowed += 1,
                    Err(e) => assert!(e.to_string().starts_with(&format!("meeting is {s}; "))),
                }
            }
        }
        // start, end, 2×cancel, minutes ready, 2×edit, 2×notes, 4×record
        assert_eq!(allowed, 13);
    }

    #[test]
    fn message_names_current_state_and_requirement() {
        let err = Ended.apply(Action::End).unwrap_err();
        assert_eq!(
            err.to_string(),
            "meeting is ENDED; only an IN_PROGRESS meeting can be ended"
        );
    }

    #[test]
    fn edit_and_notes_keep_the_status() {
        assert_eq!(InProgress.apply(Action::Edit).unwrap(), InProgress);
        assert_eq!(Scheduled.apply(Action::WriteNotes).unwrap(), Scheduled);
        assert!(Cancelled.apply(Action::WriteNotes).is_err());
    }

    #[test]
    fn recordings_are_taken_unless_cancelled() {
        for s in [Scheduled, InProgress, Ended, MinutesReady] {
            assert_eq!(s.apply(Action::Record).unwrap(), s);
        }
        let err = Cancelled.apply(Action::Record).unwrap_err();
        assert_eq!(
            err.to_string(),
            "meeting is CANCELLED; a cancelled meeting takes no recordings"
        );
    }

    #[test]
    fn status_round_trips_through_text_and_json() {
        for s in MeetingStatus::ALL {
            assert_eq!(s.as_str().parse::<MeetingStatus>().unwrap(), s);
            let json = serde_json::to_string(&s).unwrap();
            assert_eq!(json, format!("\"{}\"", s.as_str()));
        }
        let err = "DONE".parse::<MeetingStatus>().unwrap_err();
        assert!(err.contains("`status`"), "{err}");
    }
}
