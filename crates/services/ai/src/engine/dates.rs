//! Date and time expressions, read relative to the meeting's local date.
//!
//! Conventions: a bare weekday ("Friday", "금요일까지") is the next such day after the meeting
//! (the same weekday means a week later); "next Friday"/"다음 주 금요일" is that day of next
//! week (weeks start on Monday); "this Friday"/"이번 주 금요일" is that day of this week;
//! "next week"/"다음 주" alone is next week's Monday; "end of the week", "this week",
//! "이번 주", "주말" are Friday of that week; "next month" is its first day; a month/day
//! before the meeting rolls to next year, a bare "20일" to next month. A bare hour from 1 to
//! 7 without am/pm or 오전/오후 is read as afternoon (meetings happen in office hours).

use std::sync::LazyLock;

use chrono::{
    DateTime, Datelike, Days, FixedOffset, Months, NaiveDate, NaiveTime, TimeZone, Utc, Weekday,
};
use regex::{Captures, Regex};

use super::date_rules as rules;
use super::re;

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
    re(r"(?i)(?:\b(?:by|until|till|before|due|no\s+later\s+than)\b|까지|내로)")
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
    dates.sort_by_key(|&(s, _, deadline)| (!deadline, s));
    taken.sort_unstable();
    Found {
        date: dates.first().map(|&(_, d, _)| d),
        time: time.map(|(_, t)| t),
        spans: taken,
    }
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
