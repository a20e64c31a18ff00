//! The scores of the built-in engine on the evaluation set never fall below the figures in
//! `bench/minutes/floor.json` (per language and part): a change that makes the minutes worse
//! fails here. Raise the floor when the engine gets better (`cargo run -p
//! quorum-minutes-eval -- --json`).

#![allow(clippy::restriction)] // test code

use std::collections::BTreeMap;

use quorum_minutes_eval::score::{compare, Counts, Scores};
use quorum_minutes_eval::{data_dir, load, Part};

#[test]
fn the_minutes_are_at_least_as_good_as_the_recorded_floor() {
    let meetings = load(&data_dir()).unwrap();
    assert!(
        meetings.len() >= 40,
        "the set has {} meetings",
        meetings.len()
    );
    let mut groups: BTreeMap<(String, Part), Counts> = BTreeMap::new();
    for m in &meetings {
        *groups
            .entry((m.language.clone(), m.part.unwrap()))
            .or_default() += compare(m, &m.analyze()).counts;
    }
    let floor: BTreeMap<String, BTreeMap<String, Scores>> =
        serde_json::from_str(&std::fs::read_to_string(data_dir().join("../floor.json")).unwrap())
            .unwrap();
    let mut below = Vec::new();
    for ((lang, part), counts) in &groups {
        let now = counts.scores();
        let min = floor[lang][part.name()];
        for (name, got, least) in [
            ("precision", now.precision, min.precision),
            ("recall", now.recall, min.recall),
            ("f1", now.f1, min.f1),
            ("assignee", now.assignee, min.assignee),
            ("due date", now.due_date, min.due_date),
            ("decision recall", now.decision_recall, min.decision_recall),
            (
                "decision precision",
                now.decision_precision,
                min.decision_precision,
            ),
            ("follow-up", now.follow_up, min.follow_up),
        ] {
            if got + 1e-9 < least {
                below.push(format!(
                    "{lang}/{}: {name} {got:.3} < {least:.3}",
                    part.name()
                ));
            }
        }
    }
    assert!(below.is_empty(), "scores fell below the floor: {below:#?}");
}
