//! `cargo run -p quorum-minutes-eval [-- --details | --json | --data DIR]`: the scores of the built-in
//! engine on the evaluation set, per language and part, as Markdown tables (`--json`: as the
//! JSON `floor.json` holds). `--details` also lists, for the meetings of the tune part only,
//! what was missed or wrong — the held-out part is never shown in detail.

#![allow(clippy::print_stdout)] // a report on standard output is what this tool is for

use std::collections::BTreeMap;

use quorum_minutes_eval::score::{compare, Counts};
use quorum_minutes_eval::{data_dir, load, Part};

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let details = args.iter().any(|a| a == "--details");
    let json = args.iter().any(|a| a == "--json");
    let dir = args
        .iter()
        .position(|a| a == "--data")
        .and_then(|i| args.get(i + 1))
        .map_or_else(data_dir, std::path::PathBuf::from);
    let meetings = load(&dir)?;
    let mut groups: BTreeMap<(String, Part), Counts> = BTreeMap::new();
    for m in &meetings {
        let part = m.part.unwrap_or(Part::Tune);
        let outcome = compare(m, &m.analyze());
        *groups.entry((m.language.clone(), part)).or_default() += outcome.counts;
        if details && part == Part::Tune {
            print_details(&m.id, &outcome);
        }
    }
    if json {
        let mut out: BTreeMap<String, BTreeMap<&str, _>> = BTreeMap::new();
        for ((lang, part), counts) in &groups {
            out.entry(lang.clone())
                .or_default()
                .insert(part.name(), counts.scores());
        }
        println!("{}", serde_json::to_string_pretty(&out)?);
        return Ok(());
    }
    println!("| language | part | meetings | action items (gold / returned) | precision | recall | F1 | assignee | due date | decisions recall / precision | follow-up |");
    println!("|---|---|---|---|---|---|---|---|---|---|---|");
    for ((lang, part), c) in &groups {
        let s = c.scores();
        println!(
            "| {lang} | {} | {} | {} / {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} / {:.2} | {:.2} |",
            part.name(),
            c.meetings,
            c.gold_items,
            c.returned_items,
            s.precision,
            s.recall,
            s.f1,
            s.assignee,
            s.due_date,
            s.decision_recall,
            s.decision_precision,
            s.follow_up
        );
    }
    Ok(())
}

fn print_details(id: &str, o: &quorum_minutes_eval::score::Outcome) {
    let lines: Vec<String> = o
        .missed
        .iter()
        .map(|m| format!("  missed:   {m}"))
        .chain(o.wrong.iter().map(|w| format!("  wrong:    {w}")))
        .chain(o.wrong_dates.iter().map(|d| format!("  date:     {d}")))
        .chain(
            o.missed_decisions
                .iter()
                .map(|d| format!("  decision missed: {d}")),
        )
        .chain(o.follow_up.iter().map(|f| format!("  follow-up {f}")))
        .collect();
    if !lines.is_empty() {
        println!("{id}");
        for l in lines {
            println!("{l}");
        }
    }
}
