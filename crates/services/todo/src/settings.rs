//! The service's settings (the `todo` section of the process configuration).

use chrono::FixedOffset;
use serde::Deserialize;

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Settings {
    /// The UTC offset relative due dates in notes resolve in (`+09:00`, `-05:00`, `Z`).
    pub timezone: String,
    /// Events handled at once by each consumer (at least 1).
    pub consumers: usize,
}

impl Default for Settings {
    fn default() -> Self {
        Self {
            timezone: "+09:00".into(),
            consumers: 2,
        }
    }
}

impl Settings {
    /// `timezone` as an offset, or a message naming the key.
    pub(crate) fn offset(&self) -> Result<FixedOffset, String> {
        parse_offset(&self.timezone).ok_or_else(|| {
            format!(
                "todo.timezone: `{}` is not a UTC offset such as `+09:00`, `-05:30` or `Z`",
                self.timezone
            )
        })
    }
}

fn parse_offset(raw: &str) -> Option<FixedOffset> {
    let s = raw.trim();
    if s.eq_ignore_ascii_case("z") || s.eq_ignore_ascii_case("utc") {
        return FixedOffset::east_opt(0);
    }
    let (sign, rest) = match s.as_bytes().first()? {
        b'+' => (1, &s[1..]),
        b'-' => (-1, &s[1..]),
        _ => return None,
    };
    let (h, m) = match rest.split_once(':') {
        Some(hm) => hm,
        None if rest.len() == 4 => rest.split_at(2),
        None => (rest, "0"),
    };
    let h: i32 = h.parse().ok()?;
    let m: i32 = m.parse().ok()?;
    if !(0..=14).contains(&h) || !(0..60).contains(&m) {
        return None;
    }
    FixedOffset::east_opt(sign * (h * 3600 + m * 60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_apply_and_unknown_keys_are_refused() {
        let s: Settings = serde_json::from_str("{}").unwrap();
        assert_eq!(s, Settings::default());
        assert_eq!(s.offset().unwrap().local_minus_utc(), 9 * 3600);
        let err = serde_json::from_str::<Settings>(r#"{"tz": "Z"}"#).unwrap_err();
        assert!(err.to_string().contains("tz"), "{err}");
    }

    #[test]
    fn offsets_parse() {
        let secs = |s: &str| parse_offset(s).map(|o| o.local_minus_utc());
        assert_eq!(secs("Z"), Some(0));
        assert_eq!(secs("-05:30"), Some(-(5 * 3600 + 1800)));
        assert_eq!(secs("+0900"), Some(9 * 3600));
        assert_eq!(secs("+9"), Some(9 * 3600));
        assert_eq!(secs("Asia/Seoul"), None);
        assert_eq!(secs("+25:00"), None);
    }
}
