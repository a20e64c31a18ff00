//! A small due-date resolver for the phrases people write on explicit action lines, in
//! English and Korean, relative to the meeting's local date.
//!
//! | phrase | resolves to |
//! |---|---|
//! | `today`, `tonight`, `EOD`, `오늘` | the meeting date |
//! | `tomorrow`, `내일` / `모레` | +1 / +2 days |
//! | `by Friday`, `on Fri`, `금요일까지`, `금요일` | the next such weekday strictly after the meeting date |
//! | `this Friday`, `이번 주 금요일` | that weekday of the meeting's week (weeks start on Monday) |
//! | `next Friday`, `다음 주 금요일`, `다음주 금요일까지` | that weekday of the following week |
//! | `this week` / `next week`, `이번 주` / `다음 주(까지)`, `EOW` | Friday of that week |
//! | `1/20`, `1월 20일`, `1월20일까지` | that day; next year when it is before the meeting date |
//! | `2025-01-20`, `2025/01/20`, `1/20/2025` | that day |
//!
//! English weekday names need a lead word (`by`, `before`, `until`, `due`, `on`, `next`,
//! `this`) so that "prepare the Friday demo" keeps its meaning; Korean `…요일` is unambiguous.

use chrono::{Datelike, Days, NaiveDate, Weekday};

/// Which week a weekday phrase means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Week {
    /// The first such day strictly after the meeting date.
    Coming,
    This,
    Next,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phrase {
    Offset(u64),
    Day(Weekday, Week),
    WeekEnd(Week),
    MonthDay(u32, u32),
    Full(NaiveDate),
}

const LEADS: &[&str] = &["by", "before", "until", "till", "due", "on"];

/// One whitespace-separated word: its byte span and its matching key (lowercase, outer
/// punctuation trimmed, a Korean `까지` suffix removed and noted).
struct Word {
    start: usize,
    end: usize,
    key: String,
    until: bool,
}

fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                out.push(word(text, s, i));
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    out
}

fn word(text: &str, start: usize, end: usize) -> Word {
    let trimmed = text[start..end]
        .trim_matches(|c: char| !c.is_alphanumeric() && c != '/' && c != '-')
        .trim_matches('-')
        .to_lowercase();
    let (key, until) = match trimmed.strip_suffix("까지") {
        Some(k) => (k.to_string(), true),
        None => (trimmed, false),
    };
    Word {
        start,
        end,
        key,
        until,
    }
}

fn weekday(key: &str, ko_only: bool) -> Option<Weekday> {
    let ko = key
        .strip_suffix('에')
        .unwrap_or(key)
        .strip_suffix("요일")
        .and_then(|d| match d {
            "월" => Some(Weekday::Mon),
            "화" => Some(Weekday::Tue),
            "수" => Some(Weekday::Wed),
            "목" => Some(Weekday::Thu),
            "금" => Some(Weekday::Fri),
            "토" => Some(Weekday::Sat),
            "일" => Some(Weekday::Sun),
            _ => None,
        });
    if ko.is_some() || ko_only {
        return ko;
    }
    match key {
        "monday" | "mon" => Some(Weekday::Mon),
        "tuesday" | "tue" | "tues" => Some(Weekday::Tue),
        "wednesday" | "wed" => Some(Weekday::Wed),
        "thursday" | "thu" | "thur" | "thurs" => Some(Weekday::Thu),
        "friday" | "fri" => Some(Weekday::Fri),
        "saturday" | "sat" => Some(Weekday::Sat),
        "sunday" | "sun" => Some(Weekday::Sun),
        _ => None,
    }
}

fn number(s: &str, max: u32) -> Option<u32> {
    let n: u32 = s.parse().ok()?;
    (1..=max).contains(&n).then_some(n)
}

/// `2025-01-20`, `2025/01/20`, `1/20/2025`, `1/20`, `1월20일`.
fn numeric(key: &str) -> Option<Phrase> {
    if let Ok(d) = NaiveDate::parse_from_str(key, "%Y-%m-%d") {
        return Some(Phrase::Full(d));
    }
    if let Ok(d) = NaiveDate::parse_from_str(key, "%Y/%m/%d") {
        return Some(Phrase::Full(d));
    }
    if let Ok(d) = NaiveDate::parse_from_str(key, "%m/%d/%Y") {
        return Some(Phrase::Full(d));
    }
    if let Some((m, d)) = key.split_once('/') {
        return Some(Phrase::MonthDay(number(m, 12)?, number(d, 31)?));
    }
    let (m, rest) = key.split_once('월')?;
    let d = rest.strip_suffix('일')?;
    Some(Phrase::MonthDay(number(m, 12)?, number(d, 31)?))
}

/// The phrase starting at word `i`, and how many words it spans.
fn phrase_at(w: &[Word], i: usize) -> Option<(Phrase, usize)> {
    let mut j = i;
    while j < w.len() && j < i + 2 && LEADS.contains(&w[j].key.as_str()) {
        j += 1;
    }
    let (p, n) = core(w, j, j > i)?;
    Some((p, j - i + n))
}

fn core(w: &[Word], i: usize, led: bool) -> Option<(Phrase, usize)> {
    let first = w.get(i)?;
    let k = first.key.as_str();
    let simple = match k {
        "today" | "tonight" | "eod" | "오늘" => Some(Phrase::Offset(0)),
        "tomorrow" | "내일" => Some(Phrase::Offset(1)),
        "모레" => Some(Phrase::Offset(2)),
        "eow" => Some(Phrase::WeekEnd(Week::This)),
        _ => None,
    };
    if let Some(p) = simple {
        return Some((p, 1));
    }
    let week = match k {
        "next" | "다음" | "다음주" => Some(Week::Next),
        "this" | "이번" | "이번주" => Some(Week::This),
        _ => None,
    };
    if let Some(week) = week {
        let mut j = i + 1;
        let mut has_week = k.ends_with('주');
        if !has_week && w.get(j).is_some_and(|x| x.key == "week" || x.key == "주") {
            has_week = true;
            j += 1;
        }
        if let Some(day) = w.get(j).and_then(|x| weekday(&x.key, false)) {
            return Some((Phrase::Day(day, week), j + 1 - i));
        }
        return has_week.then_some((Phrase::WeekEnd(week), j - i));
    }
    if let Some(day) = weekday(k, !(led || first.until)) {
        return Some((Phrase::Day(day, Week::Coming), 1));
    }
    if let Some(p) = numeric(k) {
        return Some((p, 1));
    }
    // `1월 20일` written as two words.
    let m = k.strip_suffix('월').and_then(|m| number(m, 12))?;
    let next = w.get(i + 1)?;
    let d = next.key.strip_suffix('일').and_then(|d| number(d, 31))?;
    Some((Phrase::MonthDay(m, d), 2))
}

fn resolve_phrase(p: Phrase, today: NaiveDate) -> Option<NaiveDate> {
    let monday =
        today.checked_sub_days(Days::new(u64::from(today.weekday().num_days_from_monday())))?;
    let in_week = |week: Week, day: Weekday| {
        let base = u64::from(day.num_days_from_monday());
        let extra = if week == Week::Next { 7 } else { 0 };
        monday.checked_add_days(Days::new(base + extra))
    };
    match p {
        Phrase::Offset(n) => today.checked_add_days(Days::new(n)),
        Phrase::Day(day, Week::Coming) => {
            let ahead =
                (7 + day.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
            today.checked_add_days(Days::new(if ahead == 0 { 7 } else { u64::from(ahead) }))
        }
        Phrase::Day(day, week) => in_week(week, day),
        Phrase::WeekEnd(week) => in_week(week, Weekday::Fri),
        Phrase::MonthDay(m, d) => {
            let this_year = NaiveDate::from_ymd_opt(today.year(), m, d)?;
            if this_year < today {
                NaiveDate::from_ymd_opt(today.year() + 1, m, d)
            } else {
                Some(this_year)
            }
        }
        Phrase::Full(d) => Some(d),
    }
}

/// Every date phrase in `text`: (first word, word count, resolved date).
fn find(text: &str, today: NaiveDate) -> (Vec<Word>, Vec<(usize, usize, NaiveDate)>) {
    let w = words(text);
    let mut found = Vec::new();
    let mut i = 0;
    while i < w.len() {
        match phrase_at(&w, i).and_then(|(p, n)| Some((resolve_phrase(p, today)?, n))) {
            Some((date, n)) => {
                found.push((i, n, date));
                i += n;
            }
            None => i += 1,
        }
    }
    (w, found)
}

/// `text` with the given word ranges cut out, spaces collapsed and dangling separators
/// trimmed.
fn cut(text: &str, w: &[Word], spans: &[(usize, usize, NaiveDate)]) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for &(first, n, _) in spans {
        out.push_str(&text[at..w[first].start]);
        at = w[first + n - 1].end;
    }
    out.push_str(&text[at..]);
    let joined = out.split_whitespace().collect::<Vec<_>>().join(" ");
    joined
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, ',' | ';' | '-' | '–' | ':'))
        .to_string()
}

/// The first date phrase in `text` resolved against `today`, and `text` without it.
pub(crate) fn resolve(text: &str, today: NaiveDate) -> Option<(NaiveDate, String)> {
    let (w, found) = find(text, today);
    let first = *found.first()?;
    Some((first.2, cut(text, &w, &[first])))
}

/// `text` without any date phrase (for comparing titles).
pub(crate) fn strip(text: &str) -> String {
    let today = NaiveDate::from_ymd_opt(2000, 1, 3).unwrap_or_default();
    let (w, found) = find(text, today);
    cut(text, &w, &found)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Wednesday, 15 January 2025.
    fn wed() -> NaiveDate {
        NaiveDate::from_ymd_opt(2025, 1, 15).unwrap()
    }

    fn due(text: &str) -> Option<String> {
        resolve(text, wed()).map(|(d, _)| d.to_string())
    }

    #[test]
    fn english_relative_phrases() {
        assert_eq!(
            due("send the deck by Friday").as_deref(),
            Some("2025-01-17")
        );
        assert_eq!(due("send it by wed").as_deref(), Some("2025-01-22"));
        assert_eq!(due("ship tomorrow").as_deref(), Some("2025-01-16"));
        assert_eq!(due("ship today").as_deref(), Some("2025-01-15"));
        assert_eq!(due("demo next Monday").as_deref(), Some("2025-01-20"));
        assert_eq!(due("demo next Friday").as_deref(), Some("2025-01-24"));
        assert_eq!(due("demo this Friday").as_deref(), Some("2025-01-17"));
        assert_eq!(due("wrap up by next week").as_deref(), Some("2025-01-24"));
        assert_eq!(due("due by EOW").as_deref(), Some("2025-01-17"));
    }

    #[test]
    fn korean_relative_phrases() {
        assert_eq!(due("수요일까지 배포 확인").as_deref(), Some("2025-01-22"));
        assert_eq!(due("금요일까지 보고서").as_deref(), Some("2025-01-17"));
        assert_eq!(due("내일 회의록 공유").as_deref(), Some("2025-01-16"));
        assert_eq!(due("오늘까지 리뷰").as_deref(), Some("2025-01-15"));
        assert_eq!(
            due("다음 주 화요일까지 발표").as_deref(),
            Some("2025-01-21")
        );
        assert_eq!(due("다음주 월요일 점검").as_deref(), Some("2025-01-20"));
        assert_eq!(due("이번 주까지 정리").as_deref(), Some("2025-01-17"));
    }

    #[test]
    fn absolute_dates() {
        assert_eq!(due("TODO (by 1/20)").as_deref(), Some("2025-01-20"));
        assert_eq!(due("renew by 1/10").as_deref(), Some("2026-01-10"));
        assert_eq!(due("release 2025-02-03").as_deref(), Some("2025-02-03"));
        assert_eq!(due("release 2025/02/03").as_deref(), Some("2025-02-03"));
        assert_eq!(due("release 2/3/2025").as_deref(), Some("2025-02-03"));
        assert_eq!(due("2월 3일까지 제출").as_deref(), Some("2025-02-03"));
        assert_eq!(due("2월3일 제출").as_deref(), Some("2025-02-03"));
        assert_eq!(due("by 2/30"), None);
    }

    #[test]
    fn words_that_only_look_like_dates_are_left_alone() {
        assert_eq!(due("prepare the Friday demo"), None);
        assert_eq!(due("we sat down"), None);
        assert_eq!(due("update the docs"), None);
        assert_eq!(due("next steps doc"), None);
    }

    #[test]
    fn the_phrase_is_cut_from_the_title() {
        let rest = |t: &str| resolve(t, wed()).unwrap().1;
        assert_eq!(rest("send the deck by Friday"), "send the deck");
        assert_eq!(rest("review the budget (by 1/20)"), "review the budget");
        assert_eq!(rest("수요일까지 배포 확인"), "배포 확인");
        assert_eq!(rest("다음 주 화요일까지 발표 준비"), "발표 준비");
        assert_eq!(strip("ship it tomorrow, by Friday"), "ship it");
    }
}
