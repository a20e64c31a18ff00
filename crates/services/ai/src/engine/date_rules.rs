//! The table of date and time patterns, in priority order (earlier patterns claim their text
//! first, so "다음 주 금요일" is not also read as "금요일"). Conventions are in `dates`.

use std::sync::LazyLock;

use chrono::{Datelike, Days, NaiveTime, Weekday};
use regex::Captures;

use super::dates::{
    after, clock, day_of_month, end_of_month, end_of_this_week, month_day, next_weekday,
    nth_of_month, num, weekday_of_week, DateContext, Rule,
};
use super::re;

const MONTHS: &str = "january|february|march|april|may|june|july|august|september|october|november|december|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec";
const WEEKDAYS: &str = "monday|tuesday|wednesday|thursday|friday|saturday|sunday";
const COUNT: &str = r"\d+|an?|one|two|three|four|five|six|seven|eight|nine|ten|a\s+couple\s+of";

fn text<'t>(caps: &Captures<'t>, i: usize) -> &'t str {
    caps.get(i).map_or("", |m| m.as_str())
}

fn month(name: &str) -> Option<u32> {
    let key: String = name.to_lowercase().chars().take(3).collect();
    let idx = MONTHS
        .split('|')
        .take(12)
        .position(|m| m.starts_with(&key))?;
    u32::try_from(idx + 1).ok()
}

fn en_weekday(name: &str) -> Option<Weekday> {
    name.to_lowercase().get(..3)?.parse().ok()
}

fn ko_weekday(name: &str) -> Option<Weekday> {
    let idx = "월화수목금토일".chars().position(|c| name.starts_with(c))?;
    Weekday::try_from(u8::try_from(idx).ok()?).ok()
}

fn count(word: &str) -> Option<u32> {
    let word = word.to_lowercase();
    let words = [
        "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    ];
    match word.as_str() {
        "a" | "an" => Some(1),
        w if w.starts_with('a') => Some(2), // "a couple of"
        w => w.parse().ok().or_else(|| {
            words
                .iter()
                .position(|x| *x == w)
                .and_then(|i| u32::try_from(i + 1).ok())
        }),
    }
}

fn ko_count(word: &str) -> Option<(u32, &'static str)> {
    let word: String = word.split_whitespace().collect();
    Some(match word.as_str() {
        "하루" => (1, "일"),
        "이틀" => (2, "일"),
        "사흘" => (3, "일"),
        "나흘" => (4, "일"),
        "닷새" => (5, "일"),
        "일주일" | "한주" => (1, "주"),
        "이주" | "두주" => (2, "주"),
        "세주" => (3, "주"),
        "한달" => (1, "달"),
        "두달" => (2, "달"),
        _ => return None,
    })
}

/// 이번/금 = 0, 다음/담 = 1, 다다음 = 2.
fn ko_weeks(word: &str) -> u32 {
    match word {
        "다음" | "담" => 1,
        "다다음" => 2,
        _ => 0,
    }
}

fn pm(marker: &str) -> Option<bool> {
    match marker.to_lowercase().chars().find(|c| c.is_alphabetic()) {
        Some('p') => Some(true),
        Some('a') => Some(false),
        _ => None,
    }
}

/// Friday of this week (the meeting's day when it is Friday or later) or of a later week.
fn ko_week_end(ctx: &DateContext, weeks: u32) -> chrono::NaiveDate {
    if weeks == 0 {
        end_of_this_week(ctx.today)
    } else {
        weekday_of_week(ctx.today, weeks.into(), Weekday::Fri)
    }
}

fn plus(ctx: &DateContext, days: u64) -> Option<chrono::NaiveDate> {
    ctx.today.checked_add_days(Days::new(days))
}

pub(crate) static RULES: LazyLock<Vec<Rule>> = LazyLock::new(|| {
    use Rule::{Date, Time};
    vec![
        Date(re(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"), |c, x| {
            month_day(x, num(c, 2)?, num(c, 3)?, num(c, 1))
        }),
        Date(
            re(r"(\d{4})\s*년\s*(\d{1,2})\s*월\s*(\d{1,2})\s*일"),
            |c, x| month_day(x, num(c, 2)?, num(c, 3)?, num(c, 1)),
        ),
        Date(re(r"(\d{1,2})\s*월\s*(\d{1,2})\s*일"), |c, x| {
            month_day(x, num(c, 1)?, num(c, 2)?, None)
        }),
        Date(
            re(r"(이번|다음|담|다다음)\s*달\s*(\d{1,2})\s*일"),
            |c, x| day_of_month(x, ko_weeks(text(c, 1)), num(c, 2)?),
        ),
        Date(
            re(r"(이번|다음|담)\s*달\s*(?:말일|말)|(월말|이달\s*말)"),
            |c, x| end_of_month(x, ko_weeks(text(c, 1))),
        ),
        Date(
            re(r"(다음|담|다다음)\s*달\s*(?:초|첫\s*날)"),
            |c, x| day_of_month(x, ko_weeks(text(c, 1)), 1),
        ),
        Date(
            re(r"([월화수목금토일])요일\s*퇴근\s*(?:전|까지)"),
            |c, x| Some(next_weekday(x.today, ko_weekday(text(c, 1))?)),
        ),
        Date(
            re(r"(이번|금|다음|담|다다음)\s*주\s*([월화수목금토일])요일"),
            |c, x| {
                let wd = ko_weekday(text(c, 2))?;
                Some(match ko_weeks(text(c, 1)) {
                    0 => next_weekday(x.today, wd),
                    weeks => weekday_of_week(x.today, weeks.into(), wd),
                })
            },
        ),
        Date(
            re(r"(이번|금|다음|담|다다음)\s*주\s*(?:주말|말)"),
            |c, x| Some(ko_week_end(x, ko_weeks(text(c, 1)))),
        ),
        Date(
            re(r"(다음|담|다다음)\s*주\s*(?:초|첫\s*날)"),
            |c, x| {
                Some(weekday_of_week(
                    x.today,
                    ko_weeks(text(c, 1)).into(),
                    Weekday::Mon,
                ))
            },
        ),
        Date(
            re(
                r"(이번|금|다음|담|다다음)\s*주(?:[^가-힣\d]|$|에|까지|중|내|안|동안|부터|는|도|의)",
            ),
            |c, x| Some(ko_week_end(x, ko_weeks(text(c, 1)))),
        ),
        Date(
            re(r"(\d+)\s*(일|주|개월|달)\s*(?:후|뒤|내|이내|안에|안으로|만에)"),
            |c, x| after(x, num(c, 1)?, text(c, 2)),
        ),
        Date(
            re(
                r"(하루|이틀|사흘|나흘|닷새|일주일|한\s*주|이\s*주|두\s*주|세\s*주|한\s*달|두\s*달)\s*(?:후|뒤|내|이내|안에|만에)",
            ),
            |c, x| {
                let (n, unit) = ko_count(text(c, 1))?;
                after(x, n, unit)
            },
        ),
        Date(
            re(r"(\d{1,2})\s*일\s*(?:까지|에|날|자로)"),
            |c, x| nth_of_month(x, num(c, 1)?),
        ),
        Date(re(r"오늘|금일|퇴근\s*(?:전|까지)"), |_, x| {
            Some(x.today)
        }),
        Date(re(r"내일\s*모레"), |_, x| plus(x, 2)),
        Date(re(r"내일|명일"), |_, x| plus(x, 1)),
        Date(re(r"모레"), |_, x| plus(x, 2)),
        Date(re(r"글피"), |_, x| plus(x, 3)),
        Date(re(r"([월화수목금토일])요일"), |c, x| {
            Some(next_weekday(x.today, ko_weekday(text(c, 1))?))
        }),
        Date(
            re(&format!(
                r"(?i)\b(?:(?:{WEEKDAYS}),?\s+)?({MONTHS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?\b(?:,?\s+(\d{{4}})\b)?"
            )),
            |c, x| month_day(x, month(text(c, 1))?, num(c, 2)?, num(c, 3)),
        ),
        Date(
            re(&format!(
                r"(?i)\b(?:(?:{WEEKDAYS}),?\s+(?:the\s+)?)?(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({MONTHS})\b\.?(?:,?\s+(\d{{4}})\b)?"
            )),
            |c, x| month_day(x, month(text(c, 2))?, num(c, 1)?, num(c, 3)),
        ),
        Date(re(r"(\d{1,2})/(\d{1,2})(?:/(\d{4}|\d{2}))?"), |c, x| {
            month_day(x, num(c, 1)?, num(c, 2)?, num(c, 3))
        }),
        Date(re(r"(?i)\b(?:the\s+)?day\s+after\s+tomorrow\b"), |_, x| {
            plus(x, 2)
        }),
        Date(
            re(
                r"(?i)\b(?:eod|cob|close\s+of\s+business|(?:the\s+)?end\s+of\s+(?:the\s+)?day)\s+tomorrow\b",
            ),
            |_, x| plus(x, 1),
        ),
        Date(re(r"(?i)\btomorrow\b"), |_, x| plus(x, 1)),
        Date(
            re(&format!(
                r"(?i)\b(?:eod|(?:the\s+)?end\s+of\s+(?:the\s+)?day)\s+(?:on\s+)?({WEEKDAYS})\b|\b({WEEKDAYS})\s+(?:eod|(?:by\s+)?(?:the\s+)?end\s+of\s+(?:the\s+)?day)\b"
            )),
            |c, x| {
                let name = [1, 2].iter().find_map(|i| c.get(*i))?.as_str();
                Some(next_weekday(x.today, en_weekday(name)?))
            },
        ),
        Date(
            re(
                r"(?i)\b(?:today|tonight|this\s+(?:morning|afternoon|evening)|(?:the\s+)?end\s+of\s+(?:the\s+)?day|eod|cob|close\s+of\s+business)\b",
            ),
            |_, x| Some(x.today),
        ),
        Date(
            re(&format!(
                r"(?i)\bnext\s+week(?:\s+on)?\s+({WEEKDAYS})\b|\bnext\s+({WEEKDAYS})\b|\b({WEEKDAYS})\s+(?:of\s+)?next\s+week\b"
            )),
            |c, x| {
                let name = [1, 2, 3].iter().find_map(|i| c.get(*i))?.as_str();
                Some(weekday_of_week(x.today, 1, en_weekday(name)?))
            },
        ),
        Date(
            re(&format!(r"(?i)\bthis\s+(?:coming\s+)?({WEEKDAYS})\b")),
            |c, x| Some(next_weekday(x.today, en_weekday(text(c, 1))?)),
        ),
        Date(
            re(
                r"(?i)\b(?:the\s+)?(?:end|start|beginning)\s+of\s+(?:the\s+)?next\s+month\b|\bearly\s+next\s+month\b",
            ),
            |c, x| {
                if text(c, 0).to_lowercase().contains("end") {
                    end_of_month(x, 1)
                } else {
                    day_of_month(x, 1, 1)
                }
            },
        ),
        Date(re(r"(?i)\bbefore\s+next\s+week\b"), |_, x| {
            Some(end_of_this_week(x.today))
        }),
        Date(
            re(r"(?i)\b(?:(?:the\s+)?(?:start|beginning)\s+of|early)\s+next\s+week\b"),
            |_, x| Some(weekday_of_week(x.today, 1, Weekday::Mon)),
        ),
        Date(
            re(
                r"(?i)\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?week\b|\beow\b|\bthis\s+week\b|\bwithin\s+the\s+week\b",
            ),
            |_, x| Some(end_of_this_week(x.today)),
        ),
        Date(
            re(r"(?i)\b(?:the\s+)?end\s+of\s+(?:the\s+|this\s+)?month\b|\beom\b|\bmonth[-\s]end\b"),
            |_, x| end_of_month(x, 0),
        ),
        Date(
            re(&format!(r"(?i)\b(?:the\s+)?end\s+of\s+({MONTHS})\b")),
            |c, x| {
                let m = month(text(c, 1))?;
                let last = |year: i32| {
                    chrono::NaiveDate::from_ymd_opt(year, m, 1)?
                        .checked_add_months(chrono::Months::new(1))?
                        .pred_opt()
                };
                let this = last(x.today.year())?;
                if this < x.today {
                    last(x.today.year() + 1)
                } else {
                    Some(this)
                }
            },
        ),
        Date(
            re(r"(?i)\b(?:(?:the\s+)?end\s+of\s+)?next\s+week\b"),
            |_, x| Some(weekday_of_week(x.today, 1, Weekday::Fri)),
        ),
        Date(re(r"(?i)\bnext\s+month\b"), |_, x| day_of_month(x, 1, 1)),
        Date(
            re(&format!(
                r"(?i)\b(?:in|within)\s+({COUNT})\s+(day|week|month)s?\b"
            )),
            |c, x| after(x, count(text(c, 1))?, &text(c, 2).to_lowercase()),
        ),
        Date(
            re(&format!(
                r"(?i)\b({COUNT})\s+(day|week|month)s?\s+from\s+(?:now|today)\b"
            )),
            |c, x| after(x, count(text(c, 1))?, &text(c, 2).to_lowercase()),
        ),
        Date(
            re(r"(?i)\b(before\s+)?(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\b"),
            |c, x| {
                let day = nth_of_month(x, num(c, 2)?)?;
                if c.get(1).is_some() {
                    day.pred_opt()
                } else {
                    Some(day)
                }
            },
        ),
        Date(re(&format!(r"(?i)\b({WEEKDAYS})\b")), |c, x| {
            Some(next_weekday(x.today, en_weekday(text(c, 1))?))
        }),
        Time(
            re(r"(?i)\b(\d{1,2}):(\d{2})(?:\s*(am\b|pm\b|a\.m\.|p\.m\.))?"),
            |c| {
                let marker = c.get(3).map(|m| pm(m.as_str()));
                let zero_padded = text(c, 1).starts_with('0');
                clock(
                    num(c, 1)?,
                    num(c, 2)?,
                    marker.flatten().or(zero_padded.then_some(false)),
                )
            },
        ),
        Time(re(r"(?i)\b(\d{1,2})\s*(am\b|pm\b|a\.m\.|p\.m\.)"), |c| {
            clock(num(c, 1)?, 0, pm(text(c, 2)))
        }),
        Time(re(r"(?i)\b(?:noon|midday)\b|정오"), |_| {
            NaiveTime::from_hms_opt(12, 0, 0)
        }),
        Time(re(r"(?i)\bat\s+(\d{1,2})(?:\s*o'?clock)?\b"), |c| {
            clock(num(c, 1)?, 0, None)
        }),
        Time(
            re(r"(오전|오후|아침|저녁|밤|낮|새벽)?\s*(\d{1,2})\s*시(?:\s*(\d{1,2})\s*분|\s*(반))?"),
            |c| {
                let marker = match text(c, 1) {
                    "오후" | "저녁" | "밤" => Some(true),
                    "낮" => None,
                    "" => None,
                    _ => Some(false),
                };
                let minute = if c.get(4).is_some() {
                    30
                } else {
                    num(c, 3).unwrap_or(0)
                };
                clock(num(c, 2)?, minute, marker)
            },
        ),
    ]
});
