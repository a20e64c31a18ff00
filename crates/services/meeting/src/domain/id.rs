//! Typed identifiers.

use std::fmt;

use uuid::Uuid;

use super::ValidationError;

/// A meeting's id (a UUIDv7, so ids sort by creation time).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct MeetingId(Uuid);

impl MeetingId {
    pub(crate) fn new() -> Self {
        Self(Uuid::now_v7())
    }

    /// Parses a path segment; a malformed id is a 400 naming it.
    pub(crate) fn parse(raw: &str) -> Result<Self, ValidationError> {
        Uuid::parse_str(raw)
            .map(Self)
            .map_err(|_| ValidationError(format!("meeting id `{raw}` is not a valid UUID")))
    }

    pub(crate) fn as_uuid(&self) -> Uuid {
        self.0
    }
}

impl fmt::Display for MeetingId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_uuids_and_names_bad_ones() {
        let id = MeetingId::new();
        assert_eq!(MeetingId::parse(&id.to_string()).unwrap(), id);
        let err = MeetingId::parse("nope").unwrap_err();
        assert!(err.0.contains("`nope`"), "{err}");
    }
}
