//! One meeting's analysis against its gold minutes: counts that add up over meetings, and the
//! scores made of them (the rules are in `bench/minutes/README.md`).

use std::ops::AddAssign;

use chrono::Timelike as _;
use quorum_ai::engine::{ActionItem, Analysis};
use serde::{Deserialize, Serialize};

use crate::{GoldItem, Meeting};

/// What is counted for a group of meetings.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub meetings: usize,
    pub gold_items: usize,
    pub returned_items: usize,
    /// Returned items matching a gold item (assignee and title).
    pub matched: usize,
    /// Gold items whose title is among the returned ones, whoever they went to…
    pub titles_found: usize,
    /// …and of those, the ones returned with the right assignee.
    pub assignees_right: usize,
    /// Matched items with the right due date.
    pub dates_right: usize,
    pub gold_decisions: usize,
    pub decisions_found: usize,
    pub returned_decisions: usize,
    /// Returned decisions that are one of the gold ones.
    pub decisions_right: usize,
    pub follow_ups_right: usize,
}

impl AddAssign for Counts {
    fn add_assign(&mut self, o: Self) {
        self.meetings += o.meetings;
        self.gold_items += o.gold_items;
        self.returned_items += o.returned_items;
        self.matched += o.matched;
        self.titles_found += o.titles_found;
        self.assignees_right += o.assignees_right;
        self.dates_right += o.dates_right;
        self.gold_decisions += o.gold_decisions;
        self.decisions_found += o.decisions_found;
        self.returned_decisions += o.returned_decisions;
        self.decisions_right += o.decisions_right;
        self.follow_ups_right += o.follow_ups_right;
    }
}

/// The scores of a group, each in 0..=1 (an empty denominator scores 1: nothing to get wrong).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Scores {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
    pub assignee: f64,
    pub due_date: f64,
    pub decision_recall: f64,
    pub decision_precision: f64,
    pub follow_up: f64,
}

fn ratio(num: usize, den: usize) -> f64 {
    if den == 0 {
        1.0
    } else {
        num as f64 / den as f64
    }
}

impl Counts {
    pub fn scores(&self) -> Scores {
        let precision = ratio(self.matched, self.returned_items);
        let recall = ratio(self.matched, self.gold_items);
        let f1 = if precision + recall == 0.0 {
            0.0
        } else {
            2.0 * precision * recall / (precision + recall)
        };
        Scores {
            precision,
            recall,
            f1,
            assignee: ratio(self.assignees_right, self.titles_found),
            due_date: ratio(self.dates_right, self.matched),
            decision_recall: ratio(self.decisions_found, self.gold_decisions),
            decision_precision: ratio(self.decisions_right, self.returned_decisions),
            follow_up: ratio(self.follow_ups_right, self.meetings),
        }
    }
}

/// Whether `text` contains every one of `words` (case-insensitive).
pub fn mentions(text: &str, words: &[String]) -> bool {
    let text = text.to_lowercase();
    words.iter().all(|w| text.contains(&w.to_lowercase()))
}

/// How one meeting went: its counts, and what went wrong, for reading.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub counts: Counts,
    /// Gold items not returned (as `assignee: title (due)`).
    pub missed: Vec<String>,
    /// Returned items that are none of the gold ones.
    pub wrong: Vec<String>,
    /// Matched items with another due date: `title: returned ≠ gold`.
    pub wrong_dates: Vec<String>,
    pub missed_decisions: Vec<String>,
    /// Set when the follow-up is wrong: what was returned against what was expected.
    pub follow_up: Option<String>,
}

fn same_assignee(gold: &GoldItem, item: &ActionItem) -> bool {
    gold.assignee.as_deref().map(Meeting::id_of) == item.assignee_id
}

fn show(item: &ActionItem) -> String {
    format!(
        "{}: {} ({})",
        item.assignee_name.as_deref().unwrap_or("—"),
        item.title,
        item.due_date.map_or("no date".into(), |d| d.to_string())
    )
}

fn show_gold(g: &GoldItem) -> String {
    format!(
        "{}: {} ({})",
        g.assignee.as_deref().unwrap_or("—"),
        g.title,
        g.due.map_or("no date".into(), |d| d.to_string())
    )
}

/// Compares `analysis` with the gold minutes of `meeting`.
pub fn compare(meeting: &Meeting, analysis: &Analysis) -> Outcome {
    let gold = &meeting.gold;
    let mut out = Outcome::default();
    let c = &mut out.counts;
    c.meetings = 1;
    c.gold_items = gold.action_items.len();
    c.returned_items = analysis.action_items.len();

    // Each gold item takes at most one returned item: first by assignee and title…
    let mut taken = vec![false; analysis.action_items.len()];
    for g in &gold.action_items {
        let found = analysis.action_items.iter().enumerate().find(|(i, item)| {
            !taken[*i] && same_assignee(g, item) && mentions(&item.title, &g.match_words)
        });
        match found {
            Some((i, item)) => {
                taken[i] = true;
                c.matched += 1;
                if item.due_date == g.due {
                    c.dates_right += 1;
                } else {
                    out.wrong_dates.push(format!(
                        "{}: {} ≠ {}",
                        g.title,
                        item.due_date.map_or("no date".into(), |d| d.to_string()),
                        g.due.map_or("no date".into(), |d| d.to_string())
                    ));
                }
            }
            None => out.missed.push(show_gold(g)),
        }
    }
    for (i, item) in analysis.action_items.iter().enumerate() {
        if !taken[i] {
            out.wrong.push(show(item));
        }
    }
    // …then, for the assignee score, by title alone.
    let mut seen = vec![false; analysis.action_items.len()];
    for g in &gold.action_items {
        let by_title = analysis
            .action_items
            .iter()
            .enumerate()
            .filter(|(i, item)| !seen[*i] && mentions(&item.title, &g.match_words))
            .max_by_key(|(_, item)| same_assignee(g, item));
        if let Some((i, item)) = by_title {
            seen[i] = true;
            c.titles_found += 1;
            if same_assignee(g, item) {
                c.assignees_right += 1;
            }
        }
    }

    c.gold_decisions = gold.decisions.len();
    c.returned_decisions = analysis.decisions.len();
    for d in &gold.decisions {
        if analysis
            .decisions
            .iter()
            .any(|r| mentions(r, &d.match_words))
        {
            c.decisions_found += 1;
        } else {
            out.missed_decisions.push(d.text.clone());
        }
    }
    c.decisions_right = analysis
        .decisions
        .iter()
        .filter(|r| gold.decisions.iter().any(|d| mentions(r, &d.match_words)))
        .count();

    let offset = *meeting.start.offset();
    let returned = analysis
        .schedule_suggestions
        .first()
        .map(|s| s.start.with_timezone(&offset));
    let right = match (&gold.follow_up, returned) {
        (None, None) => true,
        (Some(f), Some(at)) => {
            at.date_naive() == f.date
                && f.time
                    .as_deref()
                    .is_none_or(|t| t == format!("{:02}:{:02}", at.hour(), at.minute()))
        }
        _ => false,
    };
    if right {
        c.follow_ups_right = 1;
    } else {
        out.follow_up = Some(format!(
            "returned {} ≠ expected {}",
            returned.map_or("none".into(), |at| at.format("%Y-%m-%d %H:%M").to_string()),
            gold.follow_up.as_ref().map_or("none".into(), |f| format!(
                "{} {}",
                f.date,
                f.time.as_deref().unwrap_or("(any time)")
            ))
        ));
    }
    out
}
