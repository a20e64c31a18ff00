//! The time zone a person reads dates in: the one in their profile (an IANA name such as
//! `Europe/Berlin`, daylight saving time included), else `web.timezone` (a name or a UTC
//! offset such as `+09:00`).

use chrono::{DateTime, FixedOffset, NaiveDateTime, Offset as _, TimeZone as _, Utc};
use chrono_tz::Tz;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Zone {
    Named(Tz),
    Fixed(FixedOffset),
}

impl Zone {
    /// An IANA name (`Asia/Seoul`) or a UTC offset (`+09:00`).
    pub(crate) fn parse(text: &str) -> Option<Self> {
        let text = text.trim();
        if let Ok(tz) = text.parse::<Tz>() {
            return Some(Self::Named(tz));
        }
        text.parse::<FixedOffset>().ok().map(Self::Fixed)
    }

    pub(crate) fn utc() -> Self {
        Self::Fixed(Utc.fix())
    }

    /// The wall-clock time at `at`.
    pub(crate) fn local(&self, at: DateTime<Utc>) -> NaiveDateTime {
        match self {
            Self::Named(tz) => at.with_timezone(tz).naive_local(),
            Self::Fixed(offset) => at.with_timezone(offset).naive_local(),
        }
    }

    /// The moment a wall-clock time names; the earlier one when a clock change repeats it,
    /// `None` when a clock change skips it.
    pub(crate) fn instant(&self, local: &NaiveDateTime) -> Option<DateTime<Utc>> {
        match self {
            Self::Named(tz) => tz
                .from_local_datetime(local)
                .earliest()
                .map(|t| t.with_timezone(&Utc)),
            Self::Fixed(offset) => offset
                .from_local_datetime(local)
                .earliest()
                .map(|t| t.with_timezone(&Utc)),
        }
    }

    /// How a form names it: `Europe/Berlin (UTC+01:00)` or `UTC+09:00`, its offset now.
    pub(crate) fn label(&self) -> String {
        let now = Utc::now();
        match self {
            Self::Named(tz) => {
                let offset = tz.offset_from_utc_datetime(&now.naive_utc()).fix();
                format!("{} (UTC{offset})", tz.name())
            }
            Self::Fixed(offset) => format!("UTC{offset}"),
        }
    }

    /// The IANA name, when it has one.
    pub(crate) fn name(&self) -> Option<&'static str> {
        match self {
            Self::Named(tz) => Some(tz.name()),
            Self::Fixed(_) => None,
        }
    }
}

/// Every zone a person may choose, by name.
pub(crate) fn names() -> impl Iterator<Item = &'static str> {
    chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }

    #[test]
    fn a_named_zone_follows_daylight_saving_time_and_an_offset_does_not() {
        let berlin = Zone::parse("Europe/Berlin").unwrap();
        // Winter: UTC+1; summer: UTC+2.
        assert_eq!(
            berlin.local(at("2026-01-15T09:00:00Z")).to_string(),
            "2026-01-15 10:00:00"
        );
        assert_eq!(
            berlin.local(at("2026-07-15T09:00:00Z")).to_string(),
            "2026-07-15 11:00:00"
        );
        let fixed = Zone::parse("+01:00").unwrap();
        assert_eq!(
            fixed.local(at("2026-07-15T09:00:00Z")).to_string(),
            "2026-07-15 10:00:00"
        );
        assert_eq!(fixed.name(), None);
        assert!(Zone::parse("Mars/Olympus").is_none());
    }

    #[test]
    fn a_wall_clock_time_is_read_in_the_zone_even_across_a_clock_change() {
        let ny = Zone::parse("America/New_York").unwrap();
        let local = |s| NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M").unwrap();
        assert_eq!(
            ny.instant(&local("2026-07-01T10:00")).unwrap(),
            at("2026-07-01T14:00:00Z")
        );
        // 02:30 on the night the clocks go forward does not exist there.
        assert_eq!(ny.instant(&local("2026-03-08T02:30")), None);
        assert!(names().any(|n| n == "Asia/Seoul"));
    }
}
