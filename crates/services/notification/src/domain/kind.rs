//! What a notification is about. A kind is named after the event that causes it.

use quorum_contracts::events as ev;

/// The kinds of notification; preferences are set per kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Kind {
    MeetingCreated,
    MeetingCancelled,
    MeetingEnded,
    TranscriptCreated,
    TranscriptShared,
    AnalysisCompleted,
    TodoCreated,
    TodoCompleted,
}

impl Kind {
    pub(crate) const ALL: [Kind; 8] = [
        Kind::MeetingCreated,
        Kind::MeetingCancelled,
        Kind::MeetingEnded,
        Kind::TranscriptCreated,
        Kind::TranscriptShared,
        Kind::AnalysisCompleted,
        Kind::TodoCreated,
        Kind::TodoCompleted,
    ];

    /// The name in JSON and in the database: the event type.
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Kind::MeetingCreated => ev::MEETING_CREATED,
            Kind::MeetingCancelled => ev::MEETING_CANCELLED,
            Kind::MeetingEnded => ev::MEETING_ENDED,
            Kind::TranscriptCreated => ev::TRANSCRIPT_CREATED,
            Kind::TranscriptShared => ev::TRANSCRIPT_SHARED,
            Kind::AnalysisCompleted => ev::AI_ANALYSIS_COMPLETED,
            Kind::TodoCreated => ev::TODO_CREATED,
            Kind::TodoCompleted => ev::TODO_COMPLETED,
        }
    }

    pub(crate) fn parse(raw: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == raw)
    }

    /// Every kind's name, for error messages.
    pub(crate) fn names() -> String {
        Kind::ALL.map(Kind::as_str).join(", ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
        }
        assert_eq!(Kind::parse("meeting.started"), None);
        assert!(Kind::names().contains("todo.completed"));
    }
}
