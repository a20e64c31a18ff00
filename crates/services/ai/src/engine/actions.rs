//! Action items: commitments ("I will…", "제가 …하겠습니다"), assignments ("Minji will…",
//! "Alex to…"), requests ("Minji, can you…", "…해 주세요") and marked items ("TODO:",
//! "- [ ]"). Korean sentences go through `actions_ko`, the rest through `actions_en`; both
//! return the raw task text and who it belongs to, and this module resolves the assignee,
//! reads the due date and drops duplicates.

use std::sync::LazyLock;

use regex::Regex;

use super::dates::{self, DateContext};
use super::names::{self, Directory};
use super::re;
use super::sentences::{has_hangul, Utterance};
use super::{actions_en, actions_ko, actions_ko_title, ActionItem};

/// Who a task belongs to, before it is matched to a participant.
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum Who {
    /// The person speaking ("I will…", "제가…").
    Speaker,
    /// Someone named in the sentence.
    Named(String),
    /// Nobody in particular (an unassigned "TODO:").
    Nobody,
}

/// A task found in a sentence: its owner and the text the title is cleaned from.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Raw {
    pub(crate) who: Who,
    pub(crate) task: String,
}

static MARKER: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern: compiling it cannot fail.
    re(
        r"^\s*(?:[-*•]\s*)?(?:\[\s?\]\s*|(?i:action\s+items?|action|todo|to-do|to\s+do|ai|task|next\s+step|follow[- ]up)\s*[:：]\s*|(?:할\s?일|액션\s?아이템|액션|과제|후속\s?조치)\s*[:：]\s*)(.+)$",
    )
});

static AT_NAME: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern: compiling it cannot fail.
    re(r"^@([^\s,:]+)[,:]?\s+(.+)$")
});

static DASH_NAME: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern: compiling it cannot fail.
    re(r"^([A-Z][\w'\-]*(?:\s+[A-Z][\w'\-]*){0,2}|[가-힣]{2,4}(?:\s?(?:님|씨))?)\s*[-–—:,]\s*(.+)$")
});

static KO_SUBJECT: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern: compiling it cannot fail.
    re(r"^([가-힣]{2,4}(?:\s?(?:님|씨))?)(?:이|가|은|는|께서)?\s+(.+)$")
});

/// Sentences about the meeting itself ("다음 회의는…", "the next meeting is…", "말씀드리겠습니다").
static MEETING_TALK: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern: compiling it cannot fail.
    re(
        r"(?i)(?:다음|후속)\s*(?:회의|미팅|모임)(?:은|는)|\b(?:next|follow[- ]?up)\s+(?:meeting|sync|call)\s+(?:is|will\s+be)\b|말씀\s*드리|설명\s*드리|소개\s*(?:해\s*)?드리|넘어가겠|마치겠|시작하겠|논의하겠|이야기하겠|얘기하겠|\bI['’]ll\s+(?:start|begin|kick\s+off|walk\s+you|hand\s+(?:it\s+)?over|go\s+first|go\s+over)",
    )
});

/// Opening lines that set the meeting's agenda ("오늘은 출시 일정을 검토하겠습니다", "Today we
/// will go through the budget"): what the meeting itself will do, not work for after it.
/// A first-person subject ("오늘은 제가 …", "today I will …") is a real commitment.
static AGENDA: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern: compiling it cannot fail.
    re(
        r"(?i)^\s*(?:(?:오늘|이번\s*(?:회의|시간|주\s*회의))\s*(?:은|는|에는|에서는|회의에서는)\s|today,?\s+(?:we|we['’]ll|let['’]s)\b|in\s+this\s+meeting,?\s+(?:we|we['’]ll|let['’]s)\b)",
    )
});

static FIRST_PERSON: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern: compiling it cannot fail.
    re(r"(?i)제가|저는|저희\s*팀이|내가|\bI\b|\bI['’]ll\b")
});

fn sets_agenda(text: &str) -> bool {
    AGENDA.is_match(text) && !FIRST_PERSON.is_match(text)
}

/// Titles that say nothing ("그렇게 하기", "Do that").
const EMPTY_TITLE_WORDS: &[&str] = &[
    "그렇게",
    "그거",
    "그것",
    "이거",
    "이것",
    "그건",
    "네",
    "하기",
    "do",
    "that",
    "it",
    "so",
    "this",
    "handle",
    "take",
    "care",
    "of",
];

/// A "TODO:" or "- [ ]" line: always a task, with an owner when one is named up front.
fn marked(text: &str, directory: &Directory<'_>) -> Option<Raw> {
    let rest = MARKER.captures(text)?.get(1)?.as_str().trim();
    let named = |name: &str, task: &str| Raw {
        who: Who::Named(name.to_string()),
        task: task.to_string(),
    };
    if let Some(c) = AT_NAME.captures(rest) {
        return Some(named(c.get(1)?.as_str(), c.get(2)?.as_str()));
    }
    if let Some(c) = DASH_NAME.captures(rest) {
        let name = c.get(1)?.as_str();
        if looks_like_person(name, directory) {
            return Some(named(name, c.get(2)?.as_str()));
        }
    }
    if !has_hangul(rest) {
        if let Some(raw) = actions_en::third_person(rest, directory, true) {
            return Some(raw);
        }
    } else if let Some(c) = KO_SUBJECT.captures(rest) {
        let name = c.get(1)?.as_str();
        if directory.resolve(name).is_some() || name.ends_with('님') || name.ends_with('씨') {
            return Some(named(name, c.get(2)?.as_str()));
        }
    }
    Some(Raw {
        who: Who::Nobody,
        task: rest.to_string(),
    })
}

/// A participant's name, a Korean name with an honorific, or a capitalised non-word.
pub(crate) fn looks_like_person(name: &str, directory: &Directory<'_>) -> bool {
    if directory.resolve(name).is_some() {
        return true;
    }
    if has_hangul(name) {
        return name.ends_with('님') || name.ends_with('씨');
    }
    let first = name.split_whitespace().next().unwrap_or("");
    !actions_en::NOT_NAMES.contains(&first.to_lowercase().as_str())
}

/// Every action item in the meeting, in the order they were said.
pub(crate) fn extract(
    utterances: &[Utterance],
    directory: &Directory<'_>,
    ctx: &DateContext,
) -> Vec<ActionItem> {
    let mut items: Vec<ActionItem> = Vec::new();
    for u in utterances {
        let korean = has_hangul(&u.text);
        let raw = marked(&u.text, directory).or_else(|| {
            if MEETING_TALK.is_match(&u.text) || sets_agenda(&u.text) {
                None
            } else if korean {
                actions_ko::detect(&u.text, u.speaker.as_deref(), directory)
            } else {
                actions_en::detect(&u.text, directory)
            }
        });
        let Some(raw) = raw else { continue };
        let title = if has_hangul(&raw.task) {
            actions_ko_title::title(&raw.task, directory, ctx)
        } else {
            actions_en::title(&raw.task, ctx)
        };
        let says_nothing = title
            .split_whitespace()
            .all(|w| EMPTY_TITLE_WORDS.contains(&w.to_lowercase().as_str()));
        if title.chars().count() < 2 || says_nothing {
            continue;
        }
        let found = dates::find(&u.text, ctx);
        let (assignee_id, assignee_name) = match raw.who {
            Who::Speaker => {
                let id = u.speaker_id.or_else(|| {
                    u.speaker
                        .as_deref()
                        .and_then(|s| directory.resolve(s))
                        .map(|p| p.id)
                });
                (id, u.speaker.clone())
            }
            Who::Named(name) => match directory.resolve(&name) {
                Some(p) => (Some(p.id), Some(p.name.clone())),
                None => (None, Some(display_name(&name))),
            },
            Who::Nobody => (None, None),
        };
        let item = ActionItem {
            title,
            assignee_id,
            assignee_name,
            due_date: found.due_date(ctx),
            due_at: found.due_at(ctx),
        };
        let duplicate = items.iter().any(|i| {
            i.title.to_lowercase() == item.title.to_lowercase()
                && i.assignee_name == item.assignee_name
        });
        if !duplicate {
            items.push(item);
        }
    }
    items
}

/// An unknown person's name as said, without `@`, honorific or particle.
fn display_name(name: &str) -> String {
    let trimmed = name.trim().trim_start_matches('@');
    if has_hangul(trimmed) {
        names::bare_korean_name(trimmed)
    } else {
        trimmed
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_string()
    }
}
