//! English action items: first-person commitments, named assignments and requests, and the
//! cleaning of a task into an imperative title ("I will send the draft by Friday" → "Send the
//! draft"). Negations, hypotheticals, plain questions and past-tense reports never match.

use std::sync::LazyLock;

use regex::Regex;

use super::actions::{looks_like_person, Raw, Who};
use super::dates::{self, DateContext};
use super::names::Directory;
use super::re;

/// Capitalised words that start sentences but are nobody's name.
pub(crate) const NOT_NAMES: &[&str] = &[
    "i",
    "we",
    "it",
    "this",
    "that",
    "these",
    "those",
    "they",
    "he",
    "she",
    "you",
    "everyone",
    "everybody",
    "someone",
    "somebody",
    "anyone",
    "nobody",
    "the",
    "a",
    "an",
    "our",
    "my",
    "your",
    "his",
    "her",
    "their",
    "team",
    "there",
    "here",
    "who",
    "what",
    "which",
    "all",
    "each",
    "next",
    "then",
    "so",
    "and",
    "but",
    "if",
    "when",
    "today",
    "tomorrow",
    "let",
    "please",
    "can",
    "could",
    "would",
    "should",
    "will",
    "maybe",
    "also",
    "ok",
    "okay",
    "yes",
    "no",
    "sure",
    "great",
    "thanks",
    "one",
    "both",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "action",
    "todo",
    "decision",
    "note",
    "nothing",
    "something",
    "everything",
    "whoever",
    "none",
    "guys",
    "folks",
    "people",
    "y'all",
    "hey",
    "hi",
    "hello",
    "well",
    "now",
    "first",
    "finally",
    "anyway",
];

/// Verbs that follow "I will"/"can you" without making a task ("I'll be out", "can you hear me").
const NOT_TASKS: &[&str] = &[
    "be", "hear", "see", "believe", "imagine", "repeat", "think", "remember", "leave", "go",
    "head", "join", "drop", "stay", "wait", "agree", "say", "mean", "guess", "bet", "tell",
    "explain", "clarify", "let", "know", "the", "a", "an", "my", "our", "this", "that", "your",
    "his", "her", "all", "it", "you", "me", "everyone",
];

/// Task openings that are meeting mechanics, not work.
const NOT_TASK_PHRASES: &[&str] = &["share my screen", "share the screen", "share your screen"];

const NAME: &str = r"[A-Z][a-zA-Z'\-]+(?:\s+[A-Z][a-zA-Z'\-]+){0,2}";

static FILLER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?i:(?:ok(?:ay)?|so|alright|all\s+right|great|good|sure|yes|yeah|yep|right|well|and|also|then|perfect|cool|thanks|thank\s+you|got\s+it|sounds\s+good|fine|absolutely|of\s+course|no\s+problem|in\s+that\s+case|one\s+more\s+thing|oh)\b[,.!;:—-]*\s*)+",
    )
});
pub(crate) static NEGATIVE: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:won't|won’t|will\s+not|can't|can’t|cannot|couldn't|wouldn't|shouldn't|not\s+going\s+to|don't\s+need|no\s+need|never|not\s+sure|unless)\b",
    )
});
static HYPOTHETICAL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:maybe|perhaps|might|possibly|probably|potentially|would\s+be\s+(?:nice|good|great)|if|in\s+case|someday|at\s+some\s+point|we\s+could|i\s+could|you\s+could|i\s+would|i\s+wonder|what\s+if|wondering|hopefully|ideally|in\s+theory)\b",
    )
});
static FIRST_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:^|[\s,;])(?:I(?:\s+will|\s*['’]ll|\s+shall|\s+am\s+going\s+to|\s*['’]m\s+going\s+to|\s*['’]m\s+gonna|\s+can|\s+need\s+to|\s+have\s+to|\s+plan\s+to|\s*['’]m\s+planning\s+to|\s+am\s+planning\s+to|\s+promise\s+to|\s+volunteer\s+to|\s+commit\s+to|\s+take\s+the\s+action\s+to)|let\s+me)(?:\s+(?:also|just|definitely|then|go\s+ahead\s+and|make\s+sure\s+to|make\s+sure\s+I|personally|try\s+to))*\s+(.+)$",
    )
});
static THIRD_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    re(&format!(
        r"^@?({NAME})\s+(will|['’]ll|is\s+going\s+to|is\s+gonna|is\s+to|to|needs\s+to|has\s+to|should|agreed\s+to|volunteered\s+to|offered\s+to|has\s+agreed\s+to)\s+(.+)$"
    ))
});
static DELEGATE: LazyLock<Regex> =
    LazyLock::new(|| re(&format!(r"^(?i:have|get|ask)\s+({NAME})\s+(?:to\s+)?(.+)$")));

/// Request patterns: (regex, index of the name group, index of the task group).
static REQUESTS: LazyLock<Vec<(Regex, usize, usize)>> = LazyLock::new(|| {
    vec![
        (
            re(&format!(
                r"^({NAME}),?\s+(?i:can|could|would|will)\s+you\s+(?i:please\s+)?(.+)$"
            )),
            1,
            2,
        ),
        (
            re(&format!(
                r"^(?i:can|could|would|will)\s+you\s+(?i:please\s+)?(.+?),\s*({NAME})\s*[?.!]*$"
            )),
            2,
            1,
        ),
        (
            re(&format!(
                r"^({NAME}),\s*(?i:please|i\s+need\s+you\s+to|you['’]ll|you\s+will|make\s+sure\s+(?:to|you)|you\s+should|don['’]t\s+forget\s+to|remember\s+to|go\s+ahead\s+and)\s+(.+)$"
            )),
            1,
            2,
        ),
        (
            re(&format!(r"^(?i:please)\s+(.+?),\s*({NAME})\s*[?.!]*$")),
            2,
            1,
        ),
        (
            re(&format!(
                r"^(?i:let['’]?s|let\s+us)\s+(?i:have|get|ask)\s+({NAME})\s+(?i:to\s+)?(.+)$"
            )),
            1,
            2,
        ),
        (
            re(&format!(
                r"^(?i:i['’]?d\s+like|i\s+would\s+like|i\s+want|we\s+need|i\s+need)\s+({NAME})\s+to\s+(.+)$"
            )),
            1,
            2,
        ),
        (
            re(&format!(r"^(?i:can|could)\s+({NAME})\s+(.+?)\?*$")),
            1,
            2,
        ),
    ]
});

/// The task in an English sentence, if it is one.
pub(crate) fn detect(text: &str, directory: &Directory<'_>) -> Option<Raw> {
    let s = FILLER.replace(text.trim(), "");
    let s = s.trim();
    for (re, name_at, task_at) in REQUESTS.iter() {
        let Some(c) = re.captures(s) else { continue };
        let (name, task) = (c.get(*name_at)?.as_str(), c.get(*task_at)?.as_str());
        let known = directory.resolve(name).is_some();
        if (known || looks_like_person(name, directory)) && is_task(task) && !NEGATIVE.is_match(s) {
            return Some(Raw {
                who: Who::Named(name.to_string()),
                task: task.to_string(),
            });
        }
    }
    if s.ends_with('?') || NEGATIVE.is_match(s) || HYPOTHETICAL.is_match(s) {
        return None;
    }
    if let Some(c) = FIRST_PERSON.captures(s) {
        let task = c.get(1)?.as_str();
        if let Some(d) = DELEGATE.captures(task) {
            let name = d.get(1)?.as_str();
            if looks_like_person(name, directory) {
                return Some(Raw {
                    who: Who::Named(name.to_string()),
                    task: d.get(2)?.as_str().to_string(),
                });
            }
        }
        return is_task(task).then(|| Raw {
            who: Who::Speaker,
            task: task.to_string(),
        });
    }
    third_person(s, directory, false)
}

/// "Alex will…", "Alex to…": a named person's task. Outside a "TODO:" line (`marked`) the
/// person must be a participant, so "Traffic will grow" is not a task.
pub(crate) fn third_person(s: &str, directory: &Directory<'_>, marked: bool) -> Option<Raw> {
    let c = THIRD_PERSON.captures(s)?;
    let (name, task) = (c.get(1)?.as_str(), c.get(3)?.as_str());
    let known = directory.resolve(name).is_some();
    let ok = known || (marked && looks_like_person(name, directory));
    (ok && is_task(task)).then(|| Raw {
        who: Who::Named(name.to_string()),
        task: task.to_string(),
    })
}

/// Whether a verb phrase describes work (not "be out", "hear me").
fn is_task(task: &str) -> bool {
    let first = task.split_whitespace().next().unwrap_or("").to_lowercase();
    let first = first.trim_matches(|c: char| !c.is_alphanumeric());
    let lower = task.trim().to_lowercase();
    !first.is_empty()
        && !NOT_TASKS.contains(&first)
        && !NOT_TASK_PHRASES.iter().any(|p| lower.starts_with(p))
}

static LEADING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?i:(?:please|also|just|then|definitely|go\s+ahead\s+and|make\s+sure\s+to|try\s+to|try\s+and|be\s+sure\s+to|quickly|first|still)\s+)+",
    )
});
static TRAILING: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)(?:[\s,]+(?:please|for\s+me|for\s+us|if\s+possible|if\s+you\s+can|as\s+well|too|then|okay|ok|thanks|thank\s+you|right|asap|by|on|at|before|until|due|and|or))*[\s?.!,;:()\-–—]*$",
    )
});
static SPACES: LazyLock<Regex> = LazyLock::new(|| re(r"\s+"));
static EMPTY_BRACKETS: LazyLock<Regex> = LazyLock::new(|| re(r"\(\s*\)|\[\s*\]"));

/// An imperative title: no date, no filler, first letter capitalised.
pub(crate) fn title(task: &str, ctx: &DateContext) -> String {
    let found = dates::find(task, ctx);
    let mut kept = String::with_capacity(task.len());
    let mut at = 0;
    for &(start, end) in &found.spans {
        if start >= at {
            kept.push_str(&task[at..start]);
            kept.push(' ');
            at = end;
        }
    }
    kept.push_str(&task[at.min(task.len())..]);
    let kept = EMPTY_BRACKETS.replace_all(&kept, " ");
    let kept = SPACES.replace_all(kept.trim(), " ");
    let kept = LEADING.replace(&kept, "");
    let kept = TRAILING.replace(&kept, "");
    let kept = kept
        .trim()
        .trim_start_matches(['-', '—', '–', ':', ','])
        .trim();
    let mut chars = kept.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}
