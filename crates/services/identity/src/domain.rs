//! Validated inputs: [`Email`], [`Password`], [`Name`] (parse, don't validate).

use std::fmt;

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

/// An e-mail address as given (trimmed); [`Email::key`] is its case-insensitive identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Email(String);

impl Email {
    pub(crate) fn parse(raw: &str) -> Result<Self, ValidationError> {
        let s = raw.trim();
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
        let Some((local, domain)) = s.split_once('@') else {
            return Err(err("must look like name@example.com"));
        };
        let domain_ok = !domain.contains('@')
            && domain.contains('.')
            && domain.split('.').all(|label| {
                !label.is_empty()
                    && !label.starts_with('-')
                    && !label.ends_with('-')
                    && label.chars().all(|c| c.is_alphanumeric() || c == '-')
            });
        let local_ok = !local.is_empty()
            && local.len() <= 64
            && !local.starts_with('.')
            && !local.ends_with('.')
            && !local.contains("..");
        if !local_ok || !domain_ok {
            return Err(err("must look like name@example.com"));
        }
        Ok(Self(s.to_owned()))
    }

    /// The lookup key: lower-cased, so `Ann@X.org` and `ann@x.org` are one account.
    pub(crate) fn key(&self) -> String {
        self.0.to_lowercase()
    }

    pub(crate) fn as_str(&self) -> &str {
        &self.0
    }
}

/// A password of 8 to 1024 characters (the upper bound caps hashing work).
pub(crate) struct Password(String);

impl fmt::Debug for Password {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Password(<redacted>)")
    }
}

impl Password {
    pub(crate) fn parse(raw: &str) -> Result<Self, ValidationError> {
        let n = raw.chars().count();
        if n < 8 {
            return Err(invalid("password", "must be at least 8 characters"));
        }
        if n > 1024 {
            return Err(invalid("password", "must be at most 1024 characters"));
        }
        Ok(Self(raw.to_owned()))
    }

    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
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
        for ok in ["a@b.co", " Ann.Lee+x@Example.ORG ", "x_y@sub.domain.kr"] {
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
        ] {
            let err = Email::parse(bad).unwrap_err();
            assert_eq!(err.field, "email", "{bad}");
        }
        assert_eq!(Email::parse(" Ann@X.org").unwrap().key(), "ann@x.org");
        assert_eq!(Email::parse(" Ann@X.org").unwrap().as_str(), "Ann@X.org");
    }

    #[test]
    fn passwords_and_names() {
        assert!(Password::parse("1234567").is_err());
        assert!(Password::parse("12345678").is_ok());
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
