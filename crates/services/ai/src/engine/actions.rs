//! Action items: commitments ("I will…", "제가 …하겠습니다"), assignments ("Minji will…",
//! "Alex to…"), requests ("Minji, can you…", "…해 주세요") and marked items ("TODO:",
//! "- [ ]"). Korean sentences go through `actions_ko`, the rest through `actions_en`; both
//! return the raw task text and who it belongs to, and this module resolves the assignee,
//! reads the due date, drops duplicates and notes the section each item comes from.
//!
//! The section of an item is the one of the sentence it was found in, except for a task
//! given to someone else ("Minji, can you update the budget?") that its assignee then takes
//! on ("Sure, no problem." as the very next reply, or restating the same task as their own
//! commitment later): the item points at the section where it was accepted, the moment the
//! assignee committed to it.

use std::sync::LazyLock;

use regex::Regex;
use uuid::Uuid;

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

/// Replies that take on what was just asked ("Sure, no problem.", "Will do", "네, 알겠습니다",
/// "넵 할게요").
static ACCEPTANCE: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern: compiling it cannot fail.
    re(
        r"(?i)^\s*(?:(?:sure|ok(?:ay)?|yes|yeah|yep|will\s+do|on\s+it|got\s+it|no\s+problem|of\s+course|absolutely|certainly|definitely|sounds\s+good|happy\s+to|can\s+do|i\s+can\s+do\s+(?:it|that)|i['’]ll\s+(?:do|take)\s+(?:it|that)|i['’]m\s+on\s+it|consider\s+it\s+done)\b|(?:네|넵|예|알겠습니다|알겠어요|알았어요|그럴게요|그렇게\s*(?:하겠습니다|할게요)|좋습니다|좋아요|물론이죠|물론입니다|맡겠습니다|할게요|하겠습니다)(?:$|[\s,.!~]))",
    )
});

/// Whether `text` accepts a task: a yes, not a question and without a "but I can't".
fn accepts(text: &str) -> bool {
    ACCEPTANCE.is_match(text)
        && !text.trim_end().ends_with(['?', '？'])
        && !actions_en::NEGATIVE.is_match(text)
        && !actions_ko::NEGATIVE.is_match(text)
}

/// Replies about the meeting's plans rather than the task ("Decision: we will launch on the
/// 2nd", "let's meet Friday", "…하기로 했어요").
static PLANS: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern: compiling it cannot fail.
    re(
        r"(?i)^\s*(?:decision|decided|agreed)\b|\b(?:we\s+will|we['’]ll|let['’]s|we\s+agreed|we\s+decided|we\s+should)\b|하기로|합시다|하죠",
    )
});

/// Whether an assignee's reply that names a day goes along with the task ("sure, end of the
/// month ok?", "tags yes, 3 days before delivery"): not a refusal nor the meeting's plans.
fn agrees(text: &str) -> bool {
    !PLANS.is_match(text)
        && !actions_en::NEGATIVE.is_match(text)
        && !actions_ko::NEGATIVE.is_match(text)
}

/// Words too common to tie two sentences to the same task.
const COMMON_WORDS: &[&str] = &[
    "that",
    "this",
    "with",
    "from",
    "have",
    "will",
    "make",
    "send",
    "write",
    "them",
    "then",
    "about",
    "there",
    "their",
    "would",
    "could",
    "should",
    "some",
    "also",
    "just",
    "team",
    "정리",
    "작성",
    "공유",
    "확인",
    "요청",
    "하기",
    "보내기",
    "전달",
    "준비",
    "검토",
    "제가",
];

/// Whether `text` names a content word of `title` ("draft" in both).
fn shares_word(text: &str, title: &str) -> bool {
    let text = text.to_lowercase();
    title
        .to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| {
            let n = w.chars().count();
            !COMMON_WORDS.contains(w) && if has_hangul(w) { n >= 2 } else { n >= 4 }
        })
        .any(|w| text.contains(w))
}

/// Gives `item` the day (and time) in `found`.
fn set_due(item: &mut ActionItem, found: &dates::Found, ctx: &DateContext) {
    item.due_date = found.due_date(ctx);
    item.due_at = found.due_at(ctx);
}

/// The participant id of whoever said `u`, when known.
fn speaker_id(u: &Utterance, directory: &Directory<'_>) -> Option<Uuid> {
    u.speaker_id.or_else(|| {
        u.speaker
            .as_deref()
            .and_then(|s| directory.resolve(s))
            .map(|p| p.id)
    })
}

/// Whether `a` and `b` were said by the same person (by id when both are known).
fn same_speaker(a: &Utterance, b: &Utterance, directory: &Directory<'_>) -> bool {
    match (speaker_id(a, directory), speaker_id(b, directory)) {
        (Some(x), Some(y)) => x == y,
        _ => a.speaker == b.speaker,
    }
}

/// Whether `u` was said by the person `item` is assigned to.
fn said_by_assignee(item: &ActionItem, u: &Utterance, directory: &Directory<'_>) -> bool {
    match (item.assignee_id, speaker_id(u, directory)) {
        (Some(x), Some(y)) => x == y,
        _ => match (&item.assignee_name, &u.speaker) {
            (Some(x), Some(y)) => x.trim().eq_ignore_ascii_case(y.trim()),
            _ => false,
        },
    }
}

/// Whether two items are the same task for the same person.
fn same_task(a: &ActionItem, b: &ActionItem) -> bool {
    let same_person = match (a.assignee_id, b.assignee_id) {
        (Some(x), Some(y)) => x == y,
        _ => a.assignee_name == b.assignee_name,
    };
    same_person && a.title.to_lowercase() == b.title.to_lowercase()
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
    // Parallel to `items`: given by someone else and not yet taken on by its assignee.
    let mut handed: Vec<bool> = Vec::new();
    // The items handed out in the current speaker's turn, and that turn's latest sentence.
    let mut asked: Vec<usize> = Vec::new();
    let mut turn: Option<&Utterance> = None;
    // The items found in the previous sentence.
    let mut previous: Vec<usize> = Vec::new();
    let texts: Vec<(&str, usize)> = utterances
        .iter()
        .map(|u| (u.text.as_str(), u.section))
        .collect();
    for (index, u) in utterances.iter().enumerate() {
        let found = dates::find_in(&texts, index, ctx);
        let earlier = std::mem::take(&mut previous);
        let continues = turn.is_some_and(|t| same_speaker(t, u, directory));
        if turn.is_some() && !continues {
            // The first reply after a turn: an assignee who accepts takes the task on here,
            // and a day they name in it ("sure, by Thursday") is the task's due date.
            let yes = accepts(&u.text);
            let dated = found.date.is_some() && agrees(&u.text);
            let mut taken = Vec::new();
            for &i in &asked {
                if let (Some(item), Some(open)) = (items.get_mut(i), handed.get_mut(i)) {
                    if said_by_assignee(item, u, directory) {
                        taken.push(i);
                        if yes {
                            item.section_index = Some(u.section);
                            *open = false;
                        }
                        if dated {
                            set_due(item, &found, ctx);
                        }
                    }
                }
            }
            asked.clear();
            previous.extend(taken);
        }
        turn = Some(u);
        // A day said in the next sentence by the same person ("I'll take it." — "Should be
        // done within 5 days.") belongs to the task they just gave or took on.
        if continues && found.date.is_some() {
            for &i in &earlier {
                if let Some(item) = items.get_mut(i).filter(|it| it.due_date.is_none()) {
                    set_due(item, &found, ctx);
                }
            }
        }
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
        let own = raw.who == Who::Speaker;
        let (assignee_id, assignee_name) = match raw.who {
            Who::Speaker => (speaker_id(u, directory), u.speaker.clone()),
            Who::Named(name) => match directory.resolve(&name) {
                Some(p) => (Some(p.id), Some(p.name.clone())),
                None => (None, Some(display_name(&name))),
            },
            Who::Nobody => (None, None),
        };
        let mut item = ActionItem {
            title,
            assignee_id,
            assignee_name,
            due_date: found.due_date(ctx),
            due_at: found.due_at(ctx),
            section_index: Some(u.section),
        };
        // Taking on a task someone else just described with its day ("the draft needs to be
        // done by the 16th" — "I'll own the draft then").
        if let Some(before) = index.checked_sub(1).and_then(|i| utterances.get(i)) {
            if item.due_date.is_none()
                && !same_speaker(before, u, directory)
                && shares_word(&before.text, &item.title)
            {
                let said = dates::find_in(&texts, index - 1, ctx);
                if said.date.is_some() {
                    set_due(&mut item, &said, ctx);
                }
            }
        }
        match items.iter().position(|i| same_task(i, &item)) {
            Some(i) => {
                // The assignee restating a task they were given as their own commitment.
                if let (Some(first), Some(open)) = (items.get_mut(i), handed.get_mut(i)) {
                    if own && *open {
                        first.section_index = item.section_index;
                        *open = false;
                    }
                }
            }
            None => {
                let given = item.assignee_name.is_some() && !said_by_assignee(&item, u, directory);
                if given {
                    asked.push(items.len());
                }
                handed.push(given);
                previous.push(items.len());
                items.push(item);
            }
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
