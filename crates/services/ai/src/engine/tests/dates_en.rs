use chrono::{NaiveDate, TimeZone};

use super::{check_table, seoul, ymd};
use crate::engine::dates::{self, DateContext};

#[test]
fn english_dates_relative_to_wednesday_13_january_2027() {
    check_table(&[
        ("today", Some((2027, 1, 13)), None),
        ("by tomorrow", Some((2027, 1, 14)), None),
        ("the day after tomorrow", Some((2027, 1, 15)), None),
        ("by Friday", Some((2027, 1, 15)), None),
        ("on Thursday", Some((2027, 1, 14)), None),
        ("on Wednesday", Some((2027, 1, 20)), None),
        ("Monday", Some((2027, 1, 18)), None),
        ("next Monday", Some((2027, 1, 18)), None),
        ("next Friday", Some((2027, 1, 22)), None),
        ("next Wednesday", Some((2027, 1, 20)), None),
        ("Friday next week", Some((2027, 1, 22)), None),
        ("this Friday", Some((2027, 1, 15)), None),
        ("this Monday", Some((2027, 1, 18)), None),
        ("next week", Some((2027, 1, 22)), None),
        ("by the end of the week", Some((2027, 1, 15)), None),
        ("this week", Some((2027, 1, 15)), None),
        ("end of the month", Some((2027, 1, 31)), None),
        ("next month", Some((2027, 2, 1)), None),
        ("in 3 days", Some((2027, 1, 16)), None),
        ("in two weeks", Some((2027, 1, 27)), None),
        ("in a week", Some((2027, 1, 20)), None),
        ("within 10 days", Some((2027, 1, 23)), None),
        ("3 days from now", Some((2027, 1, 16)), None),
        ("by 1/20", Some((2027, 1, 20)), None),
        ("1/5", Some((2028, 1, 5)), None),
        ("12/31/2027", Some((2027, 12, 31)), None),
        ("Jan 20", Some((2027, 1, 20)), None),
        ("January 20th", Some((2027, 1, 20)), None),
        ("20 January", Some((2027, 1, 20)), None),
        ("the 3rd of March", Some((2027, 3, 3)), None),
        ("Feb. 3, 2028", Some((2028, 2, 3)), None),
        ("January 10", Some((2028, 1, 10)), None),
        ("2027-01-20", Some((2027, 1, 20)), None),
    ]);
}

#[test]
fn english_times_and_dates_with_times() {
    check_table(&[
        ("at 10", None, Some((10, 0))),
        ("tomorrow at 10am", Some((2027, 1, 14)), Some((10, 0))),
        ("Friday at 3:30 pm", Some((2027, 1, 15)), Some((15, 30))),
        ("10:00", None, Some((10, 0))),
        ("at 2", None, Some((14, 0))),
        ("by noon tomorrow", Some((2027, 1, 14)), Some((12, 0))),
        ("next Monday at 10", Some((2027, 1, 18)), Some((10, 0))),
        ("07:30", None, Some((7, 30))),
        ("at 9 a.m. on Jan 20", Some((2027, 1, 20)), Some((9, 0))),
        ("5pm", None, Some((17, 0))),
        ("12am", None, Some((0, 0))),
    ]);
}

#[test]
fn english_deadline_wins_over_other_dates() {
    check_table(&[
        (
            "after Monday's review, send it by Friday",
            Some((2027, 1, 15)),
            None,
        ),
        ("I sent it Monday", Some((2027, 1, 18)), None),
    ]);
}

#[test]
fn english_non_dates_are_ignored() {
    check_table(&[
        ("We sold 20 units in version 2.3", None, None),
        ("May I ask a question", None, None),
        ("the ratio is 21/20 now", None, None),
        ("it's 24/7 support", None, None),
        ("page 3 of the deck", None, None),
    ]);
}

/// The date `dates::find` reads in `text` for a meeting on `day` at 10:00 in Seoul.
fn on(day: NaiveDate, text: &str) -> Option<NaiveDate> {
    let start = seoul()
        .from_local_datetime(&day.and_hms_opt(10, 0, 0).expect("valid time"))
        .single()
        .expect("valid")
        .with_timezone(&chrono::Utc);
    dates::find(text, &DateContext::new(start, seoul())).date
}

#[test]
fn english_date_rules_of_the_evaluation_set() {
    check_table(&[
        // Today: today, end of day, EOD.
        ("send it EOD", Some((2027, 1, 13)), None),
        ("by end of day", Some((2027, 1, 13)), None),
        ("before I log off today", Some((2027, 1, 13)), None),
        ("by COB", Some((2027, 1, 13)), None),
        // EOD with a weekday or tomorrow: that day.
        ("EOD Thursday", Some((2027, 1, 14)), None),
        ("by Thursday end of day", Some((2027, 1, 14)), None),
        ("Friday EOD", Some((2027, 1, 15)), None),
        ("by EOD tomorrow", Some((2027, 1, 14)), None),
        // A bare or "this" weekday: the next one strictly after the meeting's day.
        ("this Wednesday", Some((2027, 1, 20)), None),
        // Next week / next Friday: the week after.
        ("by next week", Some((2027, 1, 22)), None),
        ("end of next week", Some((2027, 1, 22)), None),
        ("early next week", Some((2027, 1, 18)), None),
        ("start of next week", Some((2027, 1, 18)), None),
        // This week: its Friday.
        ("within the week", Some((2027, 1, 15)), None),
        // Within N days / weeks.
        ("within 5 days", Some((2027, 1, 18)), None),
        ("in 2 weeks", Some((2027, 1, 27)), None),
        // By / before the Nth: this month, or next when passed.
        ("by the 20th", Some((2027, 1, 20)), None),
        ("I'll have it by the 14th", Some((2027, 1, 14)), None),
        ("by the 5th", Some((2027, 2, 5)), None),
        ("before the 25th", Some((2027, 1, 24)), None),
        ("before the 1st", Some((2027, 1, 31)), None),
        // Month and day, with or without the weekday.
        ("Saturday October 2nd", Some((2027, 10, 2)), None),
        ("Sept 15", Some((2027, 9, 15)), None),
        // Month ends and starts.
        ("by month-end", Some((2027, 1, 31)), None),
        ("end of next month", Some((2027, 2, 28)), None),
        ("start of next month", Some((2027, 2, 1)), None),
        ("early next month", Some((2027, 2, 1)), None),
        ("end of March", Some((2027, 3, 31)), None),
    ]);
}

#[test]
fn english_week_rules_on_a_friday() {
    let friday = ymd(2027, 1, 15);
    assert_eq!(on(friday, "by Friday"), Some(ymd(2027, 1, 22)));
    assert_eq!(on(friday, "this Friday"), Some(ymd(2027, 1, 22)));
    assert_eq!(on(friday, "this week"), Some(friday));
    assert_eq!(on(friday, "by the end of the week"), Some(friday));
    assert_eq!(on(friday, "next Friday"), Some(ymd(2027, 1, 22)));
    assert_eq!(on(friday, "next week"), Some(ymd(2027, 1, 22)));
    assert_eq!(on(ymd(2027, 1, 16), "this week"), Some(ymd(2027, 1, 16)));
    assert_eq!(on(friday, "early next week"), Some(ymd(2027, 1, 18)));
}

#[test]
fn english_days_before_an_event_of_the_meeting() {
    let ctx = super::ctx();
    let texts = [
        ("launch is locked for May 4", 0),
        ("I'll have the page live 7 days before the launch", 1),
        ("packets are due on the 27th", 2),
        ("I'll write my assessment 3 days before that", 3),
        ("I'll send it the day before the launch", 4),
        (
            "the deadline is May 21, so the draft needs to be done 5 days before that",
            5,
        ),
        ("I'll book it two weeks before the offsite", 6),
        ("so it's ready by then", 7),
    ];
    let day = |i| dates::find_in(&texts, i, &ctx).date;
    assert_eq!(day(1), Some(ymd(2027, 4, 27)));
    assert_eq!(day(3), Some(ymd(2027, 1, 24)));
    assert_eq!(day(4), Some(ymd(2027, 5, 3)));
    assert_eq!(day(5), Some(ymd(2027, 5, 16)));
    // An event the meeting never dates gives no day; "by then" is the day just before.
    assert_eq!(day(6), None);
    assert_eq!(day(7), None);
    // "N days before" is never read as a day of the month.
    assert_eq!(dates::find("3 days before delivery", &ctx).date, None);
}
