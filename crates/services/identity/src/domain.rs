//! Validated inputs: [`Email`], [`Password`], [`Name`] (parse, don't validate).

use std::fmt;

use email_address::EmailAddress;
use unicode_normalization::UnicodeNormalization as _;

/// A field that failed validation; the message names the field.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub(crate) struct ValidationError {
    pub(crate) field: &'static str,
    pub(crate) message: String,
}

pub(crate) fn invalid(field: &'static str, message: impl Into<String>) -> ValidationError {
    ValidationError {
        field,
        message: message.into(),
    }
}

/// An e-mail address: trimmed, NFKC-normalised, an RFC 5321/5322 `addr-spec` as the
/// `email_address` crate parses it (no display name, no IP literal, a domain with a dot),
/// with the domain lower-cased (domains are case-insensitive; local parts keep their case).
/// [`Email::key`] is its case-insensitive identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Email(String);

impl Email {
    pub(crate) fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s: String = raw.trim().nfkc().collect();
        let err = |m: &str| invalid("email", m);
        if s.is_empty() {
            return Err(err("must not be empty"));
        }
        if s.chars().count() > 254 {
            return Err(err("must be at most 254 characters"));
        }
        if s.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(err("must not contain spaces"));
        }
        let options = email_address::Options::default()
            .without_display_text()
            .without_domain_literal()
            .with_required_tld();
        let parsed = EmailAddress::parse_with_options(&s, options)
            .map_err(|e| err(&format!("must look like name@example.com ({e})")))?;
        Ok(Self(format!(
            "{}@{}",
            parsed.local_part(),
            parsed.domain().to_lowercase()
        )))
    }

    /// The lookup key: lower-cased, so `Ann@X.org` and `ann@x.org` are one account.
    pub(crate) fn key(&self) -> String {
        self.0.to_lowercase()
    }

    /// The key accounts registered before addresses were normalised were stored under (the
    /// address as typed, trimmed and lower-cased); the same as [`Email::key`] for almost
    /// every address (ASCII ones are unchanged by NFKC).
    pub(crate) fn legacy_key(raw: &str) -> String {
        raw.trim().to_lowercase()
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password of 8 to 1024 characters (the upper bound caps hashing work), NFKC-normalised
/// so that the same password typed on another keyboard or system (composed or decomposed
/// Hangul, full-width digits) is the same password. How strong it is, is checked apart
/// (`crate::strength`), since that needs the account's name and address.
pub(crate) struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl Password {
    pub(crate) fn parse(raw: &str) -> Result<Self, ValidationError> {
        let normalised = normalise_password(raw);
        let n = normalised.chars().count();
        if n < 8 {
            return Err(invalid("password", "must be at least 8 characters"));
        }
        if n > 1024 {
            return Err(invalid("password", "must be at most 1024 characters"));
        }
        Ok(Self(normalised))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

/// NFKC, the normalisation NIST SP 800-63B §5.1.1.2 recommends for passwords.
pub(crate) fn normalise_password(raw: &str) -> String {
    raw.nfkc().collect()
}

/// A display name: trimmed, 1 to 100 characters, no control characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Name(String);

impl Name {
    pub(crate) fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
        if s.is_empty() {
            return Err(invalid("name", "must not be empty"));
        }
        if s.chars().count() > 100 {
            return Err(invalid("name", "must be at most 100 characters"));
        }
        if s.chars().any(char::is_control) {
            return Err(invalid("name", "must not contain control characters"));
        }
        Ok(Self(s.to_owned()))
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// A preferred language: `ko` or `en`.
pub(crate) fn parse_locale(raw: &str) -> Result<String, ValidationError> {
    match raw.trim().to_ascii_lowercase().as_str() {
        l @ ("ko" | "en") => Ok(l.to_owned()),
        _ => Err(invalid("locale", "must be `ko` or `en`")),
    }
}

/// A time zone: an IANA name (`Asia/Seoul`, `Europe/Berlin`), written as the tz database
/// spells it; `UTC` is one.
pub(crate) fn parse_time_zone(raw: &str) -> Result<String, ValidationError> {
    let name = raw.trim();
    name.parse::<chrono_tz::Tz>()
        .map(|tz| tz.name().to_owned())
        .map_err(|_| {
            invalid(
                "timeZone",
                "must be a time zone of the tz database, such as `Asia/Seoul` or `Europe/Berlin`",
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails() {
        for ok in [
            "a@b.co",
            " Ann.Lee+x@Example.ORG ",
            "x_y@sub.domain.kr",
            "\"quoted\"@example.com",
            "김민수@예시.한국",
        ] {
            assert!(Email::parse(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "ann",
            "@x.org",
            "ann@",
            "ann@x",
            "a b@x.org",
            "a@@x.org",
            "a@x..org",
            "Ann <ann@x.org>",
            "ann@[127.0.0.1]",
            "ann@-x.org",
            "a(comment@x.org",
            ".ann@x.org",
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.field, "email", "{bad}");
        }
        // The domain is lower-cased, the local part kept; the key ignores case.
        assert_eq!(Email::parse(" Ann@X.org").unwrap().key(), "ann@x.org");
        assert_eq!(Email::parse(" Ann@X.org").unwrap().as_str(), "Ann@x.org");
        // NFKC: full-width letters and the `＠` sign are the ASCII address.
        let wide = Email::parse("ａｎｎ＠ｅｘａｍｐｌｅ.ｃｏｍ").unwrap();
        assert_eq!(wide.as_str(), "ann@example.com");
    }

    #[test]
    fn passwords_are_nfkc_normalised() {
        assert!(Password::parse("1234567").is_err());
        // Length is counted after normalisation; strength is checked apart.
        assert!(Password::parse("12345678").is_ok());
        // Decomposed Hangul (as macOS sends it) is the composed password.
        let decomposed = "\u{1100}\u{1161}\u{11a8}secret-word";
        let composed = "\u{ac01}secret-word";
        assert_eq!(
            Password::parse(decomposed).unwrap().expose(),
            Password::parse(composed).unwrap().expose()
        );
        // Full-width digits are digits.
        assert_eq!(normalise_password("ｐａｓｓ１２３"), "pass123");
    }

    #[test]
    fn names() {
        assert!(!format!("{:?}", Password::parse("secret-pw").unwrap()).contains("secret"));
        assert_eq!(Name::parse("  Ann ").unwrap().as_str(), "Ann");
        assert_eq!(Name::parse("   ").unwrap_err().field, "name");
        assert!(Name::parse(&"x".repeat(100)).is_ok());
        assert!(Name::parse(&"x".repeat(101)).is_err());
        assert_eq!(parse_locale("KO").unwrap(), "ko");
        assert!(parse_locale("fr").is_err());
        assert_eq!(parse_time_zone(" Asia/Seoul ").unwrap(), "Asia/Seoul");
        assert_eq!(parse_time_zone("UTC").unwrap(), "UTC");
        assert!(parse_time_zone("Mars/Olympus").is_err());
        assert!(parse_time_zone("").is_err());
    }
}
