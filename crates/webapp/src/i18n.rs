//! Message catalogues and the user's language.
//!
//! Every word a page shows comes from `locales/<lang>.toml` (compiled in): a key missing in
//! Korean falls back to English, and a test keeps the two catalogues' keys identical.
//! Placeholders are `{name}`. The language is the profile's (signed in), else the `lang`
//! cookie (the switcher), else the best of `Accept-Language`, else English.

use std::collections::HashMap;

use axum::http::HeaderMap;
use chrono::{DateTime, Datelike as _, Timelike as _, Utc};

use crate::session::cookie;
use crate::zone::Zone;

pub(crate) const LANG_COOKIE: &str = "lang";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Locale {
    En,
    Ko,
}

impl Locale {
    pub(crate) fn parse(raw: &str) -> Option<Self> {
        let primary = raw.trim().split(['-', '_']).next()?.to_ascii_lowercase();
        match primary.as_str() {
            "ko" => Some(Self::Ko),
            "en" => Some(Self::En),
            _ => None,
        }
    }

    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::En => "en",
            Self::Ko => "ko",
        }
    }

    /// The language of a request: `profile` (signed in), the `lang` cookie,
    /// `Accept-Language` (by quality), or English.
    pub(crate) fn negotiate(profile: Option<&str>, headers: &HeaderMap) -> Self {
        if let Some(l) = profile.and_then(Self::parse) {
            return l;
        }
        if let Some(l) = cookie(headers, LANG_COOKIE).and_then(Self::parse) {
            return l;
        }
        let accept = headers
            .get(axum::http::header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        let mut best: Option<(f32, Self)> = None;
        for part in accept.split(',') {
            let mut fields = part.split(';');
            let Some(l) = fields.next().and_then(Self::parse) else {
                continue;
            };
            let q = fields
                .find_map(|f| f.trim().strip_prefix("q="))
                .and_then(|q| q.parse::<f32>().ok())
                .unwrap_or(1.0);
            if best.is_none_or(|(bq, _)| q > bq) {
                best = Some((q, l));
            }
        }
        best.map_or(Self::En, |(_, l)| l)
    }
}

/// Both catalogues, flattened to `section.key` → text.
pub(crate) struct Catalogues {
    en: HashMap<String, String>,
    ko: HashMap<String, String>,
}

const EN: &str = include_str!("../locales/en.toml");
const KO: &str = include_str!("../locales/ko.toml");

fn flatten(prefix: &str, table: &toml::Table, out: &mut HashMap<String, String>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::String(s) => {
                out.insert(key, s.clone());
            }
            toml::Value::Table(t) => flatten(&key, t, out),
            _ => {}
        }
    }
}

fn parse(source: &str, name: &str) -> HashMap<String, String> {
    let mut out = HashMap::new();
    match source.parse::<toml::Table>() {
        Ok(table) => flatten("", &table, &mut out),
        // A test parses both; a broken catalogue never ships.
        Err(e) => tracing::error!(catalogue = name, error = %e, "unreadable message catalogue"),
    }
    out
}

impl Catalogues {
    pub(crate) fn load() -> Self {
        Self {
            en: parse(EN, "en"),
            ko: parse(KO, "ko"),
        }
    }

    fn lookup(&self, locale: Locale, key: &str) -> Option<&str> {
        let own = match locale {
            Locale::En => &self.en,
            Locale::Ko => &self.ko,
        };
        match locale {
            Locale::En => own.get(key),
            // A plural form exists only in the languages that have one.
            Locale::Ko if key.ends_with("_one") => own.get(key),
            Locale::Ko => own.get(key).or_else(|| self.en.get(key)),
        }
        .map(String::as_str)
    }
}

const WEEKDAYS: [&str; 7] = [
    "date.weekday.0",
    "date.weekday.1",
    "date.weekday.2",
    "date.weekday.3",
    "date.weekday.4",
    "date.weekday.5",
    "date.weekday.6",
];
const MONTHS: [&str; 12] = [
    "date.month.1",
    "date.month.2",
    "date.month.3",
    "date.month.4",
    "date.month.5",
    "date.month.6",
    "date.month.7",
    "date.month.8",
    "date.month.9",
    "date.month.10",
    "date.month.11",
    "date.month.12",
];

/// The messages of one language, as templates use them.
#[derive(Clone, Copy)]
pub(crate) struct Tr<'a> {
    catalogues: &'a Catalogues,
    pub(crate) locale: Locale,
    pub(crate) zone: Zone,
}

impl<'a> Tr<'a> {
    pub(crate) fn new(catalogues: &'a Catalogues, locale: Locale, zone: Zone) -> Self {
        Self {
            catalogues,
            locale,
            zone,
        }
    }

    /// The text of `key` (the key itself when no catalogue has it, so a gap shows). Borrowed
    /// from the catalogue: a page looks up dozens of texts, none of them copied.
    pub(crate) fn t<'k>(&self, key: &'k str) -> &'k str
    where
        'a: 'k,
    {
        self.catalogues.lookup(self.locale, key).unwrap_or(key)
    }

    /// [`Tr::t`], owned (for a key made on the spot, or a text kept beyond the key).
    pub(crate) fn text(&self, key: &str) -> String {
        self.t(key).to_owned()
    }

    /// The text of `key` with each `{name}` replaced, in one pass over the template.
    pub(crate) fn f(&self, key: &str, args: &[(&str, &str)]) -> String {
        let template = self.t(key);
        let mut text = String::with_capacity(template.len() + 16);
        let mut rest = template;
        while let Some(open) = rest.find('{') {
            text.push_str(&rest[..open]);
            let after = &rest[open + 1..];
            let value = after.find('}').and_then(|close| {
                let name = &after[..close];
                args.iter()
                    .find(|(n, _)| *n == name)
                    .map(|(_, v)| (*v, close))
            });
            match value {
                Some((value, close)) => {
                    text.push_str(value);
                    rest = &after[close + 1..];
                }
                None => {
                    text.push('{');
                    rest = after;
                }
            }
        }
        text.push_str(rest);
        text
    }

    /// `f` for a count: `{key}_one` when `count` is 1 and the language has that form
    /// (English does; Korean does not), else `key`; `{count}` is filled in.
    pub(crate) fn count(&self, key: &str, count: u64) -> String {
        self.counted(key, count, &[("count", &count.to_string())])
    }

    /// `f` with the form for `count` (`{key}_one` when it is 1, as in [`Tr::count`]).
    pub(crate) fn counted(&self, key: &str, count: u64, args: &[(&str, &str)]) -> String {
        let one = format!("{key}_one");
        let key = if count == 1 && self.catalogues.lookup(self.locale, &one).is_some() {
            one.as_str()
        } else {
            key
        };
        self.f(key, args)
    }

    /// A moment in the display time zone, written as people of this language write it.
    pub(crate) fn datetime(&self, at: DateTime<Utc>) -> String {
        let local = self.zone.local(at);
        let weekday = self.t(WEEKDAYS[local.weekday().num_days_from_monday() as usize]);
        let month = self.t(MONTHS[local.month0() as usize]);
        let (pm, hour12) = local.hour12();
        let ampm = self.t(if pm { "date.pm" } else { "date.am" });
        self.f(
            "date.datetime",
            &[
                ("year", &local.year().to_string()),
                ("month", month),
                ("monthNumber", &local.month().to_string()),
                ("day", &local.day().to_string()),
                ("weekday", weekday),
                ("hour", &hour12.to_string()),
                ("minute", &format!("{:02}", local.minute())),
                ("ampm", ampm),
            ],
        )
    }

    /// A calendar date (`YYYY-MM-DD` from the API) in this language.
    pub(crate) fn date(&self, date: chrono::NaiveDate) -> String {
        let weekday = self.t(WEEKDAYS[date.weekday().num_days_from_monday() as usize]);
        let month = self.t(MONTHS[date.month0() as usize]);
        self.f(
            "date.date",
            &[
                ("year", &date.year().to_string()),
                ("month", month),
                ("monthNumber", &date.month().to_string()),
                ("day", &date.day().to_string()),
                ("weekday", weekday),
            ],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    #[test]
    fn both_catalogues_parse_and_have_the_same_keys() {
        let en = parse(EN, "en");
        let ko = parse(KO, "ko");
        assert!(en.len() > 50, "{}", en.len());
        let mut only_en: Vec<_> = en
            .keys()
            .filter(|k| !k.ends_with("_one") && !ko.contains_key(*k))
            .collect();
        let mut only_ko: Vec<_> = ko.keys().filter(|k| !en.contains_key(*k)).collect();
        only_en.sort();
        only_ko.sort();
        assert!(
            only_en.is_empty() && only_ko.is_empty(),
            "en only: {only_en:?}; ko only: {only_ko:?}"
        );
    }

    #[test]
    fn the_language_comes_from_the_profile_then_the_cookie_then_the_browser() {
        let mut h = HeaderMap::new();
        assert_eq!(Locale::negotiate(None, &h), Locale::En);
        h.insert(
            "accept-language",
            HeaderValue::from_static("en;q=0.5, ko-KR;q=0.9, fr"),
        );
        assert_eq!(Locale::negotiate(None, &h), Locale::Ko);
        h.insert("cookie", HeaderValue::from_static("a=b; lang=en"));
        assert_eq!(Locale::negotiate(None, &h), Locale::En);
        assert_eq!(Locale::negotiate(Some("ko"), &h), Locale::Ko);
    }

    #[test]
    fn dates_are_written_per_language_in_the_display_time_zone() {
        let c = Catalogues::load();
        let kst = Zone::parse("+09:00").unwrap();
        let at = DateTime::parse_from_rfc3339("2026-12-03T06:30:00Z")
            .unwrap()
            .to_utc();
        assert_eq!(
            Tr::new(&c, Locale::Ko, kst).datetime(at),
            "2026년 12월 3일 (목) 오후 3:30"
        );
        assert_eq!(
            Tr::new(&c, Locale::En, kst).datetime(at),
            "Thu, Dec 3, 2026, 3:30 PM"
        );
        let en = Tr::new(&c, Locale::En, kst);
        let ko = Tr::new(&c, Locale::Ko, kst);
        assert_eq!(en.count("dashboard.participants", 1), "1 participant");
        assert_eq!(en.count("dashboard.participants", 3), "3 participants");
        assert_eq!(ko.count("dashboard.participants", 1), "참석자 1명");
    }
}
