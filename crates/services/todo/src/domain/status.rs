//! The todo status machine: `OPEN → IN_PROGRESS → DONE`, and `OPEN → DONE`. Statuses only
//! move forward; setting the current status again changes nothing.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum TodoStatus {
    Open,
    InProgress,
    Done,
}

impl TodoStatus {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Open => "OPEN",
            Self::InProgress => "IN_PROGRESS",
            Self::Done => "DONE",
        }
    }

    /// Whether moving to `to` changes anything (`false` for the current status), or why
    /// it is not allowed.
    pub(crate) fn advance(self, to: TodoStatus) -> Result<bool, TransitionError> {
        match to.cmp(&self) {
            std::cmp::Ordering::Equal => Ok(false),
            std::cmp::Ordering::Greater => Ok(true),
            std::cmp::Ordering::Less => Err(TransitionError { from: self, to }),
        }
    }
}

impl fmt::Display for TodoStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for TodoStatus {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "OPEN" => Ok(Self::Open),
            "IN_PROGRESS" => Ok(Self::InProgress),
            "DONE" => Ok(Self::Done),
            other => Err(format!(
                "`status` must be OPEN, IN_PROGRESS or DONE (got `{other}`)"
            )),
        }
    }
}

/// A backwards status change.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "a todo cannot go back from {from} to {to}: status only moves forward \
     (OPEN → IN_PROGRESS → DONE); create a new todo for follow-up work"
)]
pub(crate) struct TransitionError {
    pub(crate) from: TodoStatus,
    pub(crate) to: TodoStatus,
}

/// Where a todo came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum Source {
    /// An explicit action line in the meeting notes.
    Notes,
    /// An action item of the AI analysis.
    Ai,
    /// Created through the API.
    Manual,
}

impl Source {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Self::Notes => "NOTES",
            Self::Ai => "AI",
            Self::Manual => "MANUAL",
        }
    }

    pub(crate) fn parse(s: &str) -> Option<Self> {
        match s {
            "NOTES" => Some(Self::Notes),
            "AI" => Some(Self::Ai),
            "MANUAL" => Some(Self::Manual),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::TodoStatus::*;
    use super::*;

    #[test]
    fn status_moves_forward_only() {
        assert_eq!(Open.advance(InProgress), Ok(true));
        assert_eq!(Open.advance(Done), Ok(true));
        assert_eq!(InProgress.advance(Done), Ok(true));
        assert_eq!(Done.advance(Done), Ok(false));
        let err = Done.advance(Open).unwrap_err();
        assert!(err.to_string().contains("from DONE to OPEN"), "{err}");
        assert!(InProgress.advance(Open).is_err());
        assert!(Done.advance(InProgress).is_err());
    }

    #[test]
    fn statuses_round_trip_and_unknown_ones_are_named() {
        for s in [Open, InProgress, Done] {
            assert_eq!(s.as_str().parse::<TodoStatus>(), Ok(s));
        }
        assert!("CLOSED"
            .parse::<TodoStatus>()
            .unwrap_err()
            .contains("CLOSED"));
    }
}
