//! Date and time expressions, read relative to the meeting's local date.
//!
//! Conventions (bench/minutes/README.md, "Date rules"): weeks run Monday to Sunday; a bare
//! or "this" weekday ("Friday", "this Friday", "금요일까지", "이번 주 금요일") is the next such day
//! strictly after the meeting's; "next Friday"/"다음 주 금요일" is that day of next week; "this
//! week", "end of the week", "이번 주 안에" are this week's Friday (the meeting's day once it is
//! Friday or later); "next week"/"다음 주까지" is next week's Friday and "early next week"/"다음
//! 주 초" its Monday; "EOD", "오늘 중", "퇴근 전" are the meeting's day, "EOD Thursday"/"목요일
//! 퇴근 전" that Thursday; "by the Nth"/"N일까지" is the Nth of this month or, once past, of
//! the next, "before the Nth" the day before it; "end of (next) month", "월말", "다음 달 말" are
//! a month's last day, "start of next month"/"다음 달 초" its first; a month/day before the
//! meeting rolls to next year. "N days before X"/"X N일 전" counts back from a day the meeting
//! states for X (`before_event`), never the Nth of a month. A bare hour from 1 to 7 without
//! am/pm or 오전/오후 is read as afternoon (meetings happen in office hours).

use std::sync::LazyLock;

use chrono::{
    DateTime, Datelike, Days, FixedOffset, Months, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};
use regex::{Captures, Regex};

use super::date_rules as rules;
use super::re;
use super::sentences::has_hangul as has_hangul_syllable;

/// The meeting's local date and time, against which relative expressions are read.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(crate) struct DateContext {
    pub(crate) today: NaiveDate,
    pub(crate) time: NaiveTime,
    pub(crate) tz: FixedOffset,
}

impl DateContext {
    pub(crate) fn new(meeting: DateTime<Utc>, tz: FixedOffset) -> Self {
        let local = meeting.with_timezone(&tz);
        Self {
            today: local.date_naive(),
            time: local.time(),
            tz,
        }
    }

    /// A local date and time in the meeting's timezone, as UTC.
    pub(crate) fn utc(&self, date: NaiveDate, time: NaiveTime) -> Option<DateTime<Utc>> {
        self.tz
            .from_local_datetime(&date.and_time(time))
            .single()
            .map(|d| d.with_timezone(&Utc))
    }
}

/// The date and time a sentence names, and where (for removing them from a title).
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct Found {
    pub(crate) date: Option<NaiveDate>,
    pub(crate) time: Option<NaiveTime>,
    /// Byte ranges of every date and time expression, with "by"/"까지"-like words around them.
    pub(crate) spans: Vec<(usize, usize)>,
}

impl Found {
    /// The due date: the date named, or the meeting's day when only a time was given.
    pub(crate) fn due_date(&self, ctx: &DateContext) -> Option<NaiveDate> {
        self.date.or(self.time.map(|_| ctx.today))
    }

    pub(crate) fn due_at(&self, ctx: &DateContext) -> Option<DateTime<Utc>> {
        ctx.utc(self.due_date(ctx)?, self.time?)
    }
}

type DateFn = fn(&Captures<'_>, &DateContext) -> Option<NaiveDate>;
type TimeFn = fn(&Captures<'_>) -> Option<NaiveTime>;

pub(crate) enum Rule {
    Date(Regex, DateFn),
    Time(Regex, TimeFn),
}

static LEFT_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern: compiling it cannot fail.
    re(r"(?i)\b(?:(?:by|on|until|till|before|due|at|around|from|for|no\s+later\s+than)\s+)+$")
});

static RIGHT_WORDS: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern: compiling it cannot fail.
    re(r"^\s*(?:전까지|까지는|까지|중으로|중에|중|내로|내에|안으로|안에|에는|에|쯤|경|부터|날)")
});

static DEADLINE: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern: compiling it cannot fail.
    re(
        r"(?i)(?:\b(?:by|until|till|before|due|within|no\s+later\s+than)\b|까지|내로|내에|안에|안으로|이내)",
    )
});

/// Finds the date and time in `text`. When several dates appear, the one marked as a deadline
/// ("by", "until", "까지") wins, otherwise the first.
pub(crate) fn find(text: &str, ctx: &DateContext) -> Found {
    let mut taken: Vec<(usize, usize)> = Vec::new();
    let mut dates: Vec<(usize, NaiveDate, bool)> = Vec::new();
    let mut time: Option<(usize, NaiveTime)> = None;
    for rule in rules::RULES.iter() {
        let re = match rule {
            Rule::Date(re, _) | Rule::Time(re, _) => re,
        };
        for caps in re.captures_iter(text) {
            let Some(m) = caps.get(0) else { continue };
            let (start, end) = (m.start(), m.end());
            if taken.iter().any(|&(s, e)| start < e && s < end) || !boundary_ok(text, start, end) {
                continue;
            }
            let value = match rule {
                Rule::Date(_, f) => f(&caps, ctx).map(|d| (Some(d), None)),
                Rule::Time(..) if text[end..].starts_with('간') => None,
                Rule::Time(_, f) => f(&caps).map(|t| (None, Some(t))),
            };
            let Some((date, t)) = value else { continue };
            let left = LEFT_WORDS.find(&text[..start]).map_or(start, |l| l.start());
            let right = RIGHT_WORDS
                .find(&text[end..])
                .map_or(end, |r| end + r.end());
            let deadline = DEADLINE.is_match(&text[left..right]);
            taken.push((left.min(start), right));
            if let Some(d) = date {
                dates.push((start, d, deadline));
            }
            if let Some(t) = t {
                if time.is_none_or(|(s, _)| start < s) {
                    time = Some((start, t));
                }
            }
        }
    }
    // "3 days before the launch", "7일 전에": read against the meeting by `before_event`;
    // here only their text is marked, for titles.
    let mut relative: Vec<(usize, usize)> = BEFORE_EVENT_EN
        .find_iter(text)
        .map(|m| (m.start(), m.end()))
        .collect();
    for c in BEFORE_EVENT_KO.captures_iter(text) {
        if let (Some(count), Some(all)) = (c.get(2).or(c.get(4)).or(c.get(5)), c.get(0)) {
            let tail = text[count.start()..all.end()].trim_end_matches(|ch: char| !is_word(ch));
            relative.push((count.start(), count.start() + tail.len()));
        }
    }
    for (start, end) in relative {
        if !taken.iter().any(|&(s, e)| start < e && s < end) {
            taken.push((start, end));
        }
    }
    dates.sort_by_key(|&(s, _, deadline)| (!deadline, s));
    taken.sort_unstable();
    Found {
        date: dates.first().map(|&(_, d, _)| d),
        time: time.map(|(_, t)| t),
        spans: taken,
    }
}

/// "3 days before the launch", "런칭 7일 전", "5 days before that": a count of days or weeks.
static BEFORE_EVENT_EN: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern: compiling it cannot fail.
    re(
        r"(?i)\b(\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|the)\s+(day|week)s?\s+(?:before|prior\s+to|ahead\s+of)\s+(?:the\s+)?([a-z][\w-]*)",
    )
});

static BEFORE_EVENT_KO: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern: compiling it cannot fail.
    re(
        r"(?:([가-힣A-Za-z0-9]+)\s*)?(?:(\d+)\s*(일|주)\s*전|(하루|이틀|사흘|나흘|닷새|일주일|한\s*주|두\s*주)\s*전|(전날))(?:에|까지|이면|으로|쯤)?(?:[^가-힣]|$|는|도|요)",
    )
});

/// Words that point back at the day just mentioned ("before that", "그 전에").
const THAT_DAY: &[&str] = &["that", "then", "it", "this", "그", "그때", "그날"];

/// The number of days in "3 days", "two weeks", "이틀", "일주일", "2주".
fn span_days(n: &str, unit: &str) -> Option<u64> {
    let n = n.to_lowercase();
    let words = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    let (count, week) = match n.split_whitespace().collect::<String>().as_str() {
        "하루" => (1, false),
        "이틀" => (2, false),
        "사흘" => (3, false),
        "나흘" => (4, false),
        "닷새" => (5, false),
        "일주일" | "한주" => (1, true),
        "두주" => (2, true),
        "a" | "an" | "the" | "전날" => (1, unit.starts_with('w') || unit == "주"),
        w => {
            let count = w.parse().ok().or_else(|| {
                words
                    .iter()
                    .position(|x| *x == w)
                    .and_then(|i| u64::try_from(i + 1).ok())
            })?;
            (count, unit.starts_with('w') || unit == "주")
        }
    };
    Some(if week { 7 * count } else { count })
}

/// The day `texts[index]` counts back from ("N days before X", "X N일 전"): X is a day stated
/// elsewhere in the meeting — the nearest earlier sentence naming the event with a date, else a
/// later one — or, for "that"/"그때", the day named in the sentence just before.
pub(crate) fn before_event(
    texts: &[(&str, usize)],
    index: usize,
    ctx: &DateContext,
) -> Option<NaiveDate> {
    let text = texts.get(index)?.0;
    let (event, days) = if let Some(c) = BEFORE_EVENT_EN.captures(text) {
        let days = span_days(c.get(1)?.as_str(), &c.get(2)?.as_str().to_lowercase())?;
        (c.get(3)?.as_str().to_lowercase(), days)
    } else {
        let c = BEFORE_EVENT_KO.captures(text)?;
        let days = match (c.get(2), c.get(3), c.get(4).or(c.get(5))) {
            (Some(n), Some(unit), _) => span_days(n.as_str(), unit.as_str())?,
            (_, _, Some(word)) => span_days(word.as_str(), "")?,
            _ => return None,
        };
        let event = c.get(1).map_or("그", |m| m.as_str());
        (strip_particle(event).to_string(), days)
    };
    let day = if THAT_DAY.contains(&event.as_str()) {
        // The day named earlier in the same sentence, else in the sentence before.
        let start = BEFORE_EVENT_EN
            .find(text)
            .or_else(|| BEFORE_EVENT_KO.find(text))
            .map_or(0, |m| m.start());
        match find(text.get(..start).unwrap_or_default(), ctx).date {
            Some(d) => d,
            None => find(texts.get(index.checked_sub(1)?)?.0, ctx).date?,
        }
    } else {
        // A sentence naming the event, with the rest of its line (its section); a Korean
        // event may be named by its first two syllables ("런칭하기" → "런칭").
        let short: String = event.chars().take(2).collect();
        let names = |t: &str| {
            let t = t.to_lowercase();
            t.contains(&event)
                || (has_hangul_syllable(&short) && short.chars().count() == 2 && t.contains(&short))
        };
        let day_of = |i: usize| -> Option<NaiveDate> {
            let (t, section) = texts.get(i)?;
            if !names(t) {
                return None;
            }
            texts
                .get(i..)?
                .iter()
                .take_while(|(_, s)| s == section)
                .find_map(|(t, _)| find(t, ctx).date)
        };
        let earlier = (0..index).rev();
        earlier.chain(index + 1..texts.len()).find_map(day_of)?
    };
    day.checked_sub_days(Days::new(days))
}

/// A Korean noun without a trailing particle ("런칭은" → "런칭").
fn strip_particle(word: &str) -> &str {
    [
        "으로", "까지", "은", "는", "이", "가", "을", "를", "의", "에", "로",
    ]
    .iter()
    .find_map(|p| word.strip_suffix(p).filter(|w| w.chars().count() >= 2))
    .unwrap_or(word)
}

/// What `texts[index]` says about dates, with a day counted back from an event of the meeting
/// ("7 days before the launch") when the sentence names no date of its own.
/// `texts` are the meeting's sentences with the section (line) each is in.
pub(crate) fn find_in(texts: &[(&str, usize)], index: usize, ctx: &DateContext) -> Found {
    let Some((text, _)) = texts.get(index) else {
        return Found::default();
    };
    let mut found = find(text, ctx);
    if let Some(day) = before_event(texts, index, ctx) {
        found.date = Some(day);
    } else if found.date.is_none() && BY_THEN.is_match(text) {
        // "by then", "그때까지": the day the sentence just before named.
        found.date = index
            .checked_sub(1)
            .and_then(|i| find_in(texts, i, ctx).date);
    }
    found
}

static BY_THEN: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern: compiling it cannot fail.
    re(r"(?i)\b(?:by|until|before)\s+then\b|그때까지|그\s*전까지")
});

fn is_word(c: char) -> bool {
    c.is_alphanumeric()
}

/// A match must not start or end inside a number ("21/20" is not "1/20").
fn boundary_ok(text: &str, start: usize, end: usize) -> bool {
    let before = text[..start].chars().next_back();
    let after = text[end..].chars().next();
    !before.is_some_and(|c| c.is_ascii_digit()) && !after.is_some_and(|c| c.is_ascii_digit())
}

// ----- helpers for the rules -----

pub(crate) fn num(caps: &Captures<'_>, i: usize) -> Option<u32> {
    caps.get(i)?.as_str().parse().ok()
}

pub(crate) fn monday(d: NaiveDate) -> NaiveDate {
    d - Days::new(u64::from(d.weekday().num_days_from_monday()))
}

pub(crate) fn day_in_week(monday: NaiveDate, wd: Weekday) -> NaiveDate {
    monday + Days::new(u64::from(wd.num_days_from_monday()))
}

/// The next `wd` strictly after `today`.
pub(crate) fn next_weekday(today: NaiveDate, wd: Weekday) -> NaiveDate {
    let ahead = (7 + wd.num_days_from_monday() - today.weekday().num_days_from_monday()) % 7;
    today + Days::new(u64::from(if ahead == 0 { 7 } else { ahead }))
}

/// `wd` of the week `weeks` weeks from the meeting's (0 = this week, rolled on if past).
pub(crate) fn weekday_of_week(today: NaiveDate, weeks: u64, wd: Weekday) -> NaiveDate {
    let d = day_in_week(monday(today) + Days::new(7 * weeks), wd);
    if weeks == 0 && d < today {
        d + Days::new(7)
    } else {
        d
    }
}

/// Friday of the meeting's week, or the meeting's day itself when it is Friday or later.
pub(crate) fn end_of_this_week(today: NaiveDate) -> NaiveDate {
    let friday = day_in_week(monday(today), Weekday::Fri);
    friday.max(today)
}

/// Day `day` of the meeting's month, or of the next month when it has already passed.
pub(crate) fn nth_of_month(ctx: &DateContext, day: u32) -> Option<NaiveDate> {
    day_of_month(ctx, 0, day)
        .filter(|d| *d >= ctx.today)
        .or_else(|| day_of_month(ctx, 1, day))
}

/// Month and day, with a year when given, else this year or (if already past) next.
pub(crate) fn month_day(
    ctx: &DateContext,
    month: u32,
    day: u32,
    year: Option<u32>,
) -> Option<NaiveDate> {
    if let Some(y) = year {
        let y = if y < 100 { 2000 + y } else { y };
        return NaiveDate::from_ymd_opt(i32::try_from(y).ok()?, month, day);
    }
    let this = NaiveDate::from_ymd_opt(ctx.today.year(), month, day)?;
    if this < ctx.today {
        NaiveDate::from_ymd_opt(ctx.today.year() + 1, month, day)
    } else {
        Some(this)
    }
}

/// Day `day` of the month `months` months after the meeting's (0 = this month).
pub(crate) fn day_of_month(ctx: &DateContext, months: u32, day: u32) -> Option<NaiveDate> {
    let first = ctx
        .today
        .with_day(1)?
        .checked_add_months(Months::new(months))?;
    first.with_day(day)
}

/// The last day of the month `months` months after the meeting's.
pub(crate) fn end_of_month(ctx: &DateContext, months: u32) -> Option<NaiveDate> {
    let first = ctx
        .today
        .with_day(1)?
        .checked_add_months(Months::new(months + 1))?;
    first.pred_opt()
}

/// `n` days, weeks or months after the meeting.
pub(crate) fn after(ctx: &DateContext, n: u32, unit: &str) -> Option<NaiveDate> {
    match unit {
        "week" | "주" => ctx.today.checked_add_days(Days::new(7 * u64::from(n))),
        "month" | "개월" | "달" => ctx.today.checked_add_months(Months::new(n)),
        _ => ctx.today.checked_add_days(Days::new(u64::from(n))),
    }
}

/// An hour and minute, with `pm` (Some(true)), `am` (Some(false)) or no marker (None).
pub(crate) fn clock(hour: u32, minute: u32, pm: Option<bool>) -> Option<NaiveTime> {
    let hour = match pm {
        Some(true) if hour < 12 => hour + 12,
        Some(false) if hour == 12 => 0,
        None if (1..=7).contains(&hour) => hour + 12,
        _ => hour,
    };
    NaiveTime::from_hms_opt(hour, minute, 0)
}
