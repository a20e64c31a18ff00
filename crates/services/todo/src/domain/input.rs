//! Validated request values: each constructor returns a valid value or an error whose
//! message names the field.

use chrono::NaiveDate;

/// Bad input; the message names the field and says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct ValidationError(pub(crate) String);

pub(crate) const TITLE_MAX_CHARS: usize = 300;

/// A todo title: trimmed, 1–300 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Title(String);

impl Title {
    pub(crate) fn parse(raw: &str) -> Result<Self, ValidationError> {
        quorum_web::input::one_line("title", raw, TITLE_MAX_CHARS)
            .map(Self)
            .map_err(ValidationError)
    }

    /// A title from an event: control characters become spaces and it is cut to the
    /// maximum length; `None` when nothing is left.
    pub(crate) fn lenient(raw: &str) -> Option<Self> {
        let cleaned: String = raw
            .chars()
            .map(|c| if c.is_control() { ' ' } else { c })
            .take(TITLE_MAX_CHARS)
            .collect();
        Self::parse(&cleaned).ok()
    }

    pub(crate) fn into_inner(self) -> String {
        self.0
    }
}

/// The OpenAPI schema of a title (`null` allowed when `nullable`).
pub(crate) fn title_schema(nullable: bool) -> utoipa::openapi::Object {
    quorum_web::input::one_line_schema(TITLE_MAX_CHARS, nullable)
}

/// `dueDate`: a calendar day `YYYY-MM-DD`.
pub(crate) fn parse_due_date(raw: &str) -> Result<NaiveDate, ValidationError> {
    NaiveDate::parse_from_str(raw.trim(), "%Y-%m-%d").map_err(|_| {
        ValidationError(format!(
            "`dueDate` must be a date written YYYY-MM-DD (got `{raw}`)"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_bounded() {
        assert_eq!(Title::parse("  Ship it ").unwrap().into_inner(), "Ship it");
        assert!(Title::parse(" ").unwrap_err().0.contains("`title`"));
        assert!(Title::parse(&"x".repeat(301)).is_err());
        assert!(Title::parse(&"가".repeat(300)).is_ok());
        assert!(Title::parse("a\nb").is_err());
        assert_eq!(Title::lenient("a\nb").unwrap().into_inner(), "a b");
        assert_eq!(
            Title::lenient(&"y".repeat(400)).unwrap().into_inner().len(),
            300
        );
        assert!(Title::lenient("\n").is_none());
    }

    #[test]
    fn due_dates_are_iso_days() {
        assert_eq!(
            parse_due_date("2025-01-20").unwrap().to_string(),
            "2025-01-20"
        );
        assert!(parse_due_date("2025-02-30")
            .unwrap_err()
            .0
            .contains("`dueDate`"));
        assert!(parse_due_date("1/20").is_err());
    }
}
