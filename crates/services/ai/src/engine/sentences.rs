//! Sentence splitting (Korean and English) and speaker turns.
//!
//! A section's text is split into lines; a line that starts with `Name:` changes the speaker
//! (so a whole transcript pasted into one section still keeps its speakers). Each line is then
//! split at `.?!。？！` followed by space, keeping abbreviations (`e.g.`, `Mr.`, initials, `a.m.`
//! before a lower-case word) intact, and after Korean sentence endings (`…습니다`, `…요`) even
//! when the transcript has no punctuation.

use std::sync::LazyLock;

use regex::Regex;
use uuid::Uuid;

use super::names::Directory;
use super::re;
use super::Section;

/// One sentence with the person who said it and the section it is in.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Utterance {
    pub(crate) speaker: Option<String>,
    pub(crate) speaker_id: Option<Uuid>,
    pub(crate) text: String,
    /// The index of its section in the engine's input (and in the transcript).
    pub(crate) section: usize,
}

pub(crate) use quorum_text::{has_hangul_syllable as has_hangul, is_hangul_syllable as is_hangul};

static SPEAKER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern: compiling it cannot fail.
    re(
        r"^\s*(?:\[?\d{1,2}:\d{2}(?::\d{2})?\]?\s*)?([A-Z][\w.'\-]*(?:\s+[A-Z][\w.'\-]*){0,2}|[가-힣]{2,5}(?:\s?(?:님|씨))?)\s*[:：]\s*(.+)$",
    )
});

/// Words that end in a colon but introduce notes, not a speaker.
const NOT_SPEAKERS: &[&str] = &[
    "action",
    "actions",
    "action item",
    "action items",
    "todo",
    "to-do",
    "task",
    "tasks",
    "ai",
    "decision",
    "decisions",
    "note",
    "notes",
    "agenda",
    "summary",
    "follow-up",
    "next steps",
    "update",
    "re",
    "fyi",
    "ps",
    "q",
    "a",
    "결정",
    "결정사항",
    "결정 사항",
    "안건",
    "참고",
    "공지",
    "액션",
    "메모",
    "요약",
    "주제",
    "일정",
    "할일",
    "할 일",
    "비고",
    "논의",
];

/// Every sentence of the meeting, in order, with its speaker and section index.
pub(crate) fn utterances(sections: &[Section], directory: &Directory<'_>) -> Vec<Utterance> {
    let mut out = Vec::new();
    for (index, section) in sections.iter().enumerate() {
        let mut speaker = section.speaker.clone().filter(|s| !s.trim().is_empty());
        let mut speaker_id = section.speaker_id.or_else(|| {
            speaker
                .as_deref()
                .and_then(|s| directory.resolve(s))
                .map(|p| p.id)
        });
        for line in section.text.lines() {
            let mut body = line;
            if let Some(caps) = SPEAKER_LINE.captures(line) {
                let name = caps.get(1).map_or("", |m| m.as_str()).trim();
                let known = directory.resolve(name);
                if known.is_some() || !NOT_SPEAKERS.contains(&name.to_lowercase().as_str()) {
                    speaker = Some(known.map_or_else(|| name.to_string(), |p| p.name.clone()));
                    speaker_id = known.map(|p| p.id);
                    body = caps.get(2).map_or("", |m| m.as_str());
                }
            }
            for text in split(body) {
                out.push(Utterance {
                    speaker: speaker.clone(),
                    speaker_id,
                    text,
                    section: index,
                });
            }
        }
    }
    out
}

/// Words ending in a period that do not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "e.g.", "i.e.", "mr.", "mrs.", "ms.", "dr.", "prof.", "sr.", "jr.", "st.", "vs.", "etc.",
    "inc.", "ltd.", "co.", "no.", "approx.", "dept.", "est.", "fig.", "jan.", "feb.", "mar.",
    "apr.", "jun.", "jul.", "aug.", "sep.", "sept.", "oct.", "nov.", "dec.", "cf.", "a.m.", "p.m.",
    "u.s.",
];

/// Korean sentence endings after which a sentence ends even without punctuation.
static KO_ENDING: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern: compiling it cannot fail.
    re(r"(?:습니다|습니까|니다|세요|에요|예요|어요|아요|해요|게요|네요|죠|래요|까요)\s")
});

/// Splits one line into trimmed, non-empty sentences.
pub(crate) fn split(line: &str) -> Vec<String> {
    let mut cuts = Vec::new();
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    for (i, &(pos, c)) in chars.iter().enumerate() {
        let next = chars.get(i + 1).map(|&(_, n)| n);
        let end = pos + c.len_utf8();
        let boundary = match c {
            '。' | '？' | '！' => true,
            '?' | '!' => next.is_none_or(char::is_whitespace),
            '.' => {
                next.is_none_or(char::is_whitespace) && !abbreviation(&line[..end], &chars[i + 1..])
            }
            _ => false,
        };
        if boundary {
            cuts.push(end);
        }
    }
    for m in KO_ENDING.find_iter(line) {
        cuts.push(m.end());
    }
    cuts.sort_unstable();
    let mut out = Vec::new();
    let mut start = 0;
    for cut in cuts.into_iter().chain(std::iter::once(line.len())) {
        if cut <= start {
            continue;
        }
        let piece = line[start..cut].trim();
        if piece.chars().any(char::is_alphanumeric) {
            out.push(piece.to_string());
        } else if let Some(last) = out.last_mut() {
            last.push_str(piece);
        }
        start = cut;
    }
    out
}

/// Whether the word ending at a period is an abbreviation or an initial.
fn abbreviation(before: &str, after: &[(usize, char)]) -> bool {
    let word = before.rsplit(char::is_whitespace).next().unwrap_or("");
    let word = word.trim_start_matches(['(', '"', '\'']).to_lowercase();
    let next_word_lower = after
        .iter()
        .map(|&(_, c)| c)
        .find(|c| !c.is_whitespace())
        .is_some_and(char::is_lowercase);
    if word == "a.m." || word == "p.m." || word == "etc." {
        return next_word_lower;
    }
    if ABBREVIATIONS.contains(&word.as_str()) {
        return true;
    }
    let letters: Vec<char> = word.chars().filter(|c| *c != '.').collect();
    letters.len() == 1 && letters[0].is_alphabetic()
}
