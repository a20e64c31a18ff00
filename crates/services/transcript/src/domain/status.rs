//! The transcript's status and source, and the validated text of a corrected section.

use std::fmt;

use serde::{Deserialize, Serialize};

/// Bad input; the message names the field and says what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0}")]
pub(crate) struct ValidationError(pub(crate) String);

/// `DRAFT` until every section is verified, then `VERIFIED`; a correction makes it `DRAFT`
/// again.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum TranscriptStatus {
    Draft,
    Verified,
}

/// Where the sections came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub(crate) enum Source {
    /// The meeting notes (no recording, or speech-to-text failed).
    Notes,
    /// Speech-to-text of the recording.
    Recording,
}

macro_rules! wire_names {
    ($ty:ident { $($variant:ident => $name:literal),* }) => {
        impl $ty {
            pub(crate) fn as_str(self) -> &'static str {
                match self { $(Self::$variant => $name),* }
            }
        }
        impl std::str::FromStr for $ty {
            type Err = String;
            fn from_str(s: &str) -> Result<Self, String> {
                match s {
                    $($name => Ok(Self::$variant),)*
                    other => Err(format!("unknown {} `{other}`", stringify!($ty))),
                }
            }
        }
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

wire_names!(TranscriptStatus { Draft => "DRAFT", Verified => "VERIFIED" });
wire_names!(Source { Notes => "NOTES", Recording => "RECORDING" });

/// Most characters one section may hold.
pub(crate) const SECTION_MAX_CHARS: usize = 10_000;

/// A section's corrected text: trimmed, not empty, at most 10 000 characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct SectionText(String);

impl SectionText {
    pub(crate) fn parse(raw: &str) -> Result<Self, ValidationError> {
        let t = raw.trim();
        if t.is_empty() {
            return Err(ValidationError("`text` must not be empty".into()));
        }
        let n = t.chars().count();
        if n > SECTION_MAX_CHARS {
            return Err(ValidationError(format!(
                "`text` must be at most {SECTION_MAX_CHARS} characters (got {n})"
            )));
        }
        Ok(Self(t.to_string()))
    }

    pub(crate) fn into_inner(self) -> String {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_round_trip() {
        for s in [TranscriptStatus::Draft, TranscriptStatus::Verified] {
            assert_eq!(s.as_str().parse::<TranscriptStatus>().unwrap(), s);
        }
        assert_eq!("RECORDING".parse::<Source>().unwrap(), Source::Recording);
        assert!("EMPTY".parse::<TranscriptStatus>().is_err());
    }

    #[test]
    fn section_text_is_trimmed_and_bounded() {
        assert_eq!(SectionText::parse("  hi ").unwrap().into_inner(), "hi");
        assert!(SectionText::parse(" \n ").unwrap_err().0.contains("empty"));
        let long = "가".repeat(SECTION_MAX_CHARS + 1);
        assert!(SectionText::parse(&long).unwrap_err().0.contains("10000"));
        assert!(SectionText::parse(&"가".repeat(SECTION_MAX_CHARS)).is_ok());
    }
}
