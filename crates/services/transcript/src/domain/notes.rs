//! Meeting notes (markdown) → transcript sections.
//!
//! - A line `Name: text` (also `Name : text`, `**Name**: text`, `**Name:** text`, a
//!   full-width `：`, Korean names) attributes `text` to `Name`. The label is matched to a
//!   participant ([`Roster`]); a label that matches nobody still counts as a speaker when it
//!   looks like a name (at most three words, Latin words capitalised, not a common heading
//!   such as `Agenda`, `Decision`, `결정`). On a list item (`- Name: text`) only a
//!   participant's name counts, since list items are often `label: value` pairs.
//! - Consecutive lines of one speaker form one section, also across blank lines; a line
//!   without a label right after a speaker's line continues it.
//! - Other text is split into sections at blank lines. A heading starts a new section.
//!   List markers and headings are kept as text.

use super::speakers::Roster;
use super::DraftSection;

/// Labels that introduce a value rather than a speaker.
const NOT_SPEAKERS: &[&str] = &[
    "note",
    "notes",
    "todo",
    "to do",
    "action",
    "actions",
    "action item",
    "action items",
    "decision",
    "decisions",
    "agenda",
    "summary",
    "next step",
    "next steps",
    "attendees",
    "participants",
    "date",
    "time",
    "location",
    "place",
    "owner",
    "due",
    "status",
    "topic",
    "question",
    "questions",
    "answer",
    "result",
    "results",
    "goal",
    "goals",
    "issue",
    "issues",
    "risk",
    "risks",
    "update",
    "updates",
    "follow up",
    "follow-up",
    "memo",
    "minutes",
    "fyi",
    "결정",
    "결정사항",
    "결정 사항",
    "안건",
    "요약",
    "참석자",
    "참석",
    "일시",
    "장소",
    "할 일",
    "할일",
    "액션 아이템",
    "액션아이템",
    "메모",
    "비고",
    "다음 단계",
    "논의",
    "논의사항",
    "논의 사항",
    "주제",
    "목표",
    "이슈",
    "리스크",
    "질문",
    "답변",
    "결과",
    "일정",
    "담당",
    "기한",
];

const MAX_LABEL_CHARS: usize = 40;

/// A speaker line: the label as written and the spoken text (possibly empty).
#[derive(Debug, PartialEq, Eq)]
struct Labelled<'a> {
    label: &'a str,
    text: &'a str,
    /// Bold label (`**Name**:`): a strong hint that it is a speaker.
    bold: bool,
    /// Written as a list item.
    listed: bool,
}

fn strip_list_marker(line: &str) -> (&str, bool) {
    for marker in ["- ", "* ", "+ "] {
        if let Some(rest) = line.strip_prefix(marker) {
            return (rest.trim_start(), true);
        }
    }
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    if digits > 0 {
        if let Some(rest) = line[digits..].strip_prefix(". ") {
            return (rest.trim_start(), true);
        }
    }
    (line, false)
}

fn split_colon(s: &str) -> Option<(&str, &str)> {
    let at = s.find([':', '：'])?;
    let colon_len = s[at..].chars().next().map_or(1, char::len_utf8);
    Some((&s[..at], &s[at + colon_len..]))
}

fn labelled(line: &str) -> Option<Labelled<'_>> {
    let trimmed = line.trim();
    if trimmed.starts_with('#') || trimmed.starts_with('|') || trimmed.starts_with('>') {
        return None;
    }
    let (rest, listed) = strip_list_marker(trimmed);
    for fence in ["**", "__"] {
        if let Some(inner) = rest.strip_prefix(fence) {
            let end = inner.find(fence)?;
            let (name, after) = (&inner[..end], &inner[end + fence.len()..]);
            // `**Name:** text` or `**Name**: text`
            if let Some(name) = name.trim_end().strip_suffix([':', '：']) {
                return Some(Labelled {
                    label: name.trim(),
                    text: after.trim(),
                    bold: true,
                    listed,
                });
            }
            let (gap, text) = split_colon(after)?;
            if !gap.trim().is_empty() {
                return None;
            }
            return Some(Labelled {
                label: name.trim(),
                text: text.trim(),
                bold: true,
                listed,
            });
        }
    }
    let (label, text) = split_colon(rest)?;
    if text.starts_with("//") {
        return None; // a URL
    }
    Some(Labelled {
        label: label.trim(),
        text: text.trim(),
        bold: false,
        listed,
    })
}

fn plausible_label(label: &str) -> bool {
    let n = label.chars().count();
    (1..=MAX_LABEL_CHARS).contains(&n)
        && label.chars().next().is_some_and(char::is_alphabetic)
        && label
            .chars()
            .all(|c| c.is_alphanumeric() || c.is_whitespace() || matches!(c, '.' | '-' | '\''))
        && label.split_whitespace().count() <= 4
}

fn looks_like_a_name(label: &str) -> bool {
    label.split_whitespace().count() <= 3
        && label.split_whitespace().all(|w| {
            w.chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || !c.is_ascii())
        })
}

/// Who speaks on `line`, with their text: `(speaker name, participant id, text)`.
fn speaker_of<'a>(line: &'a str, roster: &Roster) -> Option<(String, Option<uuid::Uuid>, &'a str)> {
    let l = labelled(line)?;
    if !plausible_label(l.label) {
        return None;
    }
    if let Some(m) = roster.find(l.label) {
        return Some((m.name, Some(m.id), l.text));
    }
    let heading = NOT_SPEAKERS.contains(&l.label.to_lowercase().as_str());
    let accept =
        !heading && !l.text.is_empty() && !l.listed && (l.bold || looks_like_a_name(l.label));
    accept.then(|| (l.label.to_string(), None, l.text))
}

fn same_speaker(s: &DraftSection, name: &str, id: Option<uuid::Uuid>) -> bool {
    match (s.speaker_id, id) {
        (Some(a), Some(b)) => a == b,
        (None, None) => s
            .speaker
            .as_deref()
            .is_some_and(|n| super::speakers::normalize(n) == super::speakers::normalize(name)),
        _ => false,
    }
}

/// The sections of `notes`, in order; empty notes give none.
pub(crate) fn parse(notes: &str, roster: &Roster) -> Vec<DraftSection> {
    let mut sections: Vec<DraftSection> = Vec::new();
    let mut after_blank = false;
    // The last section belongs to a speaker written as a list item: the next list item is
    // a sibling, not a continuation.
    let mut listed_speaker = false;
    for line in notes.lines() {
        if line.trim().is_empty() {
            after_blank = true;
            continue;
        }
        if let Some((name, id, text)) = speaker_of(line, roster) {
            match sections.last_mut() {
                Some(last) if last.speaker.is_some() && same_speaker(last, &name, id) => {
                    last.push_line(text);
                }
                _ => sections.push(DraftSection::spoken(name, id, text)),
            }
            listed_speaker = strip_list_marker(line.trim()).1;
        } else {
            let trimmed = line.trim_start();
            let heading = trimmed.starts_with('#');
            let sibling = listed_speaker && strip_list_marker(trimmed).1;
            match sections.last_mut() {
                Some(last) if !after_blank && !heading && !sibling => {
                    last.push_line(line.trim_end());
                }
                _ => {
                    sections.push(DraftSection::text(line.trim_end()));
                    listed_speaker = false;
                }
            }
        }
        after_blank = false;
    }
    sections.retain(|s| !s.text.trim().is_empty());
    sections
}

#[cfg(test)]
#[path = "notes_tests.rs"]
mod tests;
