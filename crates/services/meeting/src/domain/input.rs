//! Validated request values ("parse, don't validate"): each constructor either returns a value
//! that is valid by construction or an error whose message names the field.

use chrono::{DateTime, Utc};

/// Bad input; the message names the field and says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct ValidationError(pub(crate) String);

pub(crate) const TITLE_MAX_CHARS: usize = 200;
pub(crate) const AGENDA_MAX_CHARS: usize = 20_000;
pub(crate) const NOTES_MAX_CHARS: usize = 200_000;

/// A meeting title: trimmed, 1–200 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Title(String);

impl Title {
    pub(crate) fn parse(raw: &str) -> Result<Self, ValidationError> {
        quorum_web::input::one_line("title", raw, TITLE_MAX_CHARS)
            .map(Self)
            .map_err(ValidationError)
    }

    pub(crate) fn into_inner(self) -> String {
        self.0
    }
}

/// The OpenAPI schema of a title (`null` allowed when `nullable`).
pub(crate) fn title_schema(nullable: bool) -> utoipa::openapi::Object {
    quorum_web::input::one_line_schema(TITLE_MAX_CHARS, nullable)
}

/// A meeting agenda (markdown), at most 20 000 characters. Blank means "no agenda".
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Agenda(Option<String>);

impl Agenda {
    pub(crate) fn parse(raw: Option<&str>) -> Result<Self, ValidationError> {
        bounded("agenda", raw, AGENDA_MAX_CHARS).map(Self)
    }
    pub(crate) fn into_inner(self) -> Option<String> {
        self.0
    }
}

/// Meeting notes (markdown; `Name: text` lines attribute speech), at most 200 000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Notes(Option<String>);

impl Notes {
    pub(crate) fn parse(raw: Option<&str>) -> Result<Self, ValidationError> {
        bounded("notes", raw, NOTES_MAX_CHARS).map(Self)
    }
    pub(crate) fn into_inner(self) -> Option<String> {
        self.0
    }
}

fn bounded(field: &str, raw: Option<&str>, max: usize) -> Result<Option<String>, ValidationError> {
    let Some(text) = raw else { return Ok(None) };
    let n = text.chars().count();
    if n > max {
        return Err(ValidationError(format!(
            "`{field}` must be at most {max} characters (got {n})"
        )));
    }
    Ok((!text.trim().is_empty()).then(|| text.to_string()))
}

/// `scheduledAt`: an RFC 3339 timestamp with an offset, normalised to UTC.
pub(crate) fn parse_scheduled_at(raw: &str) -> Result<DateTime<Utc>, ValidationError> {
    DateTime::parse_from_rfc3339(raw.trim())
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| {
            ValidationError(format!(
                "`scheduledAt` must be an RFC 3339 timestamp such as 2025-03-01T09:00:00Z \
                 (got `{raw}`: {e})"
            ))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn title_is_trimmed_and_bounded() {
        assert_eq!(
            Title::parse("  주간 회의 ").unwrap().into_inner(),
            "주간 회의"
        );
        assert!(Title::parse("   ").unwrap_err().0.contains("`title`"));
        assert!(Title::parse(&"가".repeat(200)).is_ok());
        let err = Title::parse(&"가".repeat(201)).unwrap_err();
        assert!(err.0.contains("at most 200"), "{err}");
        assert!(Title::parse("a\nb").is_err());
    }

    #[test]
    fn agenda_and_notes_are_bounded_and_blank_is_none() {
        assert_eq!(Agenda::parse(None).unwrap().into_inner(), None);
        assert_eq!(Agenda::parse(Some("  ")).unwrap().into_inner(), None);
        assert!(Agenda::parse(Some(&"x".repeat(AGENDA_MAX_CHARS + 1))).is_err());
        let notes = Notes::parse(Some("Kim: hello")).unwrap();
        assert_eq!(notes.into_inner().as_deref(), Some("Kim: hello"));
        let err = Notes::parse(Some(&"x".repeat(NOTES_MAX_CHARS + 1))).unwrap_err();
        assert!(err.0.contains("`notes`"), "{err}");
    }

    #[test]
    fn scheduled_at_accepts_offsets_and_names_the_field() {
        let t = parse_scheduled_at("2025-03-01T18:00:00+09:00").unwrap();
        assert_eq!(t.to_rfc3339(), "2025-03-01T09:00:00+00:00");
        let err = parse_scheduled_at("tomorrow").unwrap_err();
        assert!(err.0.contains("`scheduledAt`"), "{err}");
        assert!(parse_scheduled_at("2025-03-01").is_err());
    }
}
