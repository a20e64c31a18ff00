//! The language a message is written in.

/// `ko` or `en`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Locale {
    Ko,
    En,
}

impl Locale {
    /// The contact's stated locale when it is one we write (`ko…` or `en…`); otherwise
    /// Korean when `text` (the meeting or todo title) contains Hangul, else English.
    pub(crate) fn choose(contact: Option<&str>, text: &str) -> Locale {
        match contact.map(|l| l.trim().to_ascii_lowercase()) {
            Some(l) if l.starts_with("ko") => Locale::Ko,
            Some(l) if l.starts_with("en") => Locale::En,
            _ if has_hangul(text) => Locale::Ko,
            _ => Locale::En,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Locale::Ko => "ko",
            Locale::En => "en",
        }
    }
}

use quorum_text::has_hangul;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_contact_locale_wins_then_the_title_decides() {
        assert_eq!(Locale::choose(Some("en-US"), "주간 회의"), Locale::En);
        assert_eq!(Locale::choose(Some("ko"), "Weekly sync"), Locale::Ko);
        assert_eq!(Locale::choose(None, "주간 회의"), Locale::Ko);
        assert_eq!(Locale::choose(Some("fr"), "Weekly sync"), Locale::En);
        assert_eq!(Locale::choose(None, "Launch 리뷰"), Locale::Ko);
        assert_eq!(Locale::choose(None, ""), Locale::En);
    }
}
