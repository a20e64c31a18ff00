//! Tests of the built-in engine: date tables, hand-written meetings in both languages, the
//! summary, decision, schedule and sentence passes, and the sections items come from.

mod dates_en;
mod dates_ko;
mod meetings_en;
mod meetings_ko;
mod passes;
mod schedule;
mod sections;

use chrono::{DateTime, FixedOffset, NaiveDate, NaiveTime, TimeZone, Utc};
use uuid::Uuid;

use super::dates::{self, DateContext};
use super::{ActionItem, Analysis, AnalysisInput, BuiltinEngine, Lang, Participant, Section};

/// Wednesday 2027-01-13 10:00 in Seoul.
pub(super) fn meeting_date() -> DateTime<Utc> {
    seoul()
        .with_ymd_and_hms(2027, 1, 13, 10, 0, 0)
        .single()
        .expect("valid")
        .with_timezone(&Utc)
}

pub(super) fn seoul() -> FixedOffset {
    FixedOffset::east_opt(9 * 3600).expect("valid offset")
}

pub(super) fn ctx() -> DateContext {
    DateContext::new(meeting_date(), seoul())
}

pub(super) fn ymd(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// One row of a date table: the text, the date and the time `dates::find` should read.
pub(super) type Row<'a> = (&'a str, Option<(i32, u32, u32)>, Option<(u32, u32)>);

/// Asserts what `dates::find` reads in each row.
pub(super) fn check_table(rows: &[Row<'_>]) {
    let ctx = ctx();
    let mut failures = Vec::new();
    for (text, date, time) in rows {
        let found = dates::find(text, &ctx);
        let want_date = date.map(|(y, m, d)| ymd(y, m, d));
        let want_time = time.map(|(h, m)| NaiveTime::from_hms_opt(h, m, 0).expect("valid time"));
        if found.date != want_date || found.time != want_time {
            failures.push(format!(
                "{text:?}: got {:?} {:?}, want {want_date:?} {want_time:?}",
                found.date, found.time
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} wrong:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

/// A participant with a fixed id derived from its position.
pub(super) fn people(names: &[&str]) -> Vec<Participant> {
    names
        .iter()
        .enumerate()
        .map(|(i, n)| Participant {
            id: Uuid::from_u128(i as u128 + 1),
            name: n.to_string(),
        })
        .collect()
}

/// A meeting from `Speaker: text` lines (speaker ids looked up among the participants).
pub(super) fn meeting(
    title: &str,
    language: Lang,
    participants: Vec<Participant>,
    lines: &[&str],
) -> AnalysisInput {
    let sections = lines
        .iter()
        .map(|line| {
            let (speaker, text) = line
                .split_once(": ")
                .map_or((None, *line), |(s, t)| (Some(s), t));
            let speaker_id = speaker
                .and_then(|s| participants.iter().find(|p| p.name == s))
                .map(|p| p.id);
            Section {
                speaker: speaker.map(str::to_string),
                speaker_id,
                text: text.to_string(),
            }
        })
        .collect();
    AnalysisInput {
        meeting_title: title.to_string(),
        meeting_date: meeting_date(),
        timezone: seoul(),
        language,
        participants,
        sections,
    }
}

pub(super) fn analyze(input: &AnalysisInput) -> Analysis {
    BuiltinEngine.analyze_now(input)
}

/// One expected action item: words its title must contain, the assignee's participant index
/// (None: no id) and the due date.
pub(super) struct Expect<'a> {
    pub(super) words: &'a [&'a str],
    pub(super) assignee: Option<usize>,
    pub(super) due: Option<(i32, u32, u32)>,
}

/// Asserts the items are exactly the expected ones, in order.
pub(super) fn assert_items(
    items: &[ActionItem],
    participants: &[Participant],
    expected: &[Expect<'_>],
) {
    let shown: Vec<String> = items
        .iter()
        .map(|i| {
            format!(
                "{:?} → {:?} ({:?}) due {:?} at {:?}",
                i.title, i.assignee_name, i.assignee_id, i.due_date, i.due_at
            )
        })
        .collect();
    assert_eq!(items.len(), expected.len(), "items:\n{}", shown.join("\n"));
    for (i, (item, want)) in items.iter().zip(expected).enumerate() {
        for w in want.words {
            assert!(
                item.title.contains(w),
                "item {i} title {:?} lacks {w:?}\n{}",
                item.title,
                shown.join("\n")
            );
        }
        assert_eq!(
            item.assignee_id,
            want.assignee.map(|a| participants[a].id),
            "item {i} assignee\n{}",
            shown.join("\n")
        );
        assert_eq!(
            item.due_date,
            want.due.map(|(y, m, d)| ymd(y, m, d)),
            "item {i} due\n{}",
            shown.join("\n")
        );
    }
}
