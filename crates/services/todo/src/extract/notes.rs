//! Explicit action lines in meeting notes. Only lines written as action items are taken;
//! the AI service does the free-text extraction.
//!
//! Recognised (after an optional list bullet `-`, `*`, `+`, `•` or `1.`):
//! - open checkboxes: `[ ] @Name do X by Friday`, `[ ] Name: do X`, `[ ] Name - do X`,
//!   `[ ] do X` (checked `[x]` lines are done and skipped);
//! - keywords followed by `:` — `TODO`, `To-do`, `Action`, `Action item`, `AI`, `할 일`,
//!   `할일`, `액션`, `액션 아이템` — with the assignee as `TODO(Name):`, `@Name …`,
//!   `Name - …`, `Name: …`, `Name to …` (English) or a Korean name with an honorific
//!   (`지민님 …`).
//!
//! A mention is *strong* when its form leaves no doubt that it is a person (`@handle`,
//! `(Name)`, `Name - …`, an honorific); otherwise (`Name: …`, `Name to …`) it is only used
//! when it matches a participant, and the whole text becomes the title when it does not.

/// Who an action line names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Mention {
    pub(crate) name: String,
    pub(crate) handle: bool,
    pub(crate) strong: bool,
}

/// One action line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NoteItem {
    pub(crate) assignee: Option<Mention>,
    /// The action without the mention.
    pub(crate) text: String,
    /// The whole body after the marker (the title when a weak mention names nobody).
    pub(crate) full: String,
}

const KEYWORDS: &[&str] = &[
    "action item",
    "action",
    "to-do",
    "todo",
    "ai",
    "할 일",
    "할일",
    "액션 아이템",
    "액션",
];

/// Every action line in `notes`, in order.
pub(crate) fn parse(notes: &str) -> Vec<NoteItem> {
    notes.lines().filter_map(parse_line).collect()
}

fn strip_bullet(s: &str) -> &str {
    for b in ["- ", "* ", "+ ", "• "] {
        if let Some(rest) = s.strip_prefix(b) {
            return rest.trim_start();
        }
    }
    let digits = s.chars().take_while(char::is_ascii_digit).count();
    if digits > 0 {
        let rest = &s[digits..];
        if let Some(r) = rest.strip_prefix(". ").or_else(|| rest.strip_prefix(") ")) {
            return r.trim_start();
        }
    }
    s
}

fn parse_line(line: &str) -> Option<NoteItem> {
    let s = strip_bullet(line.trim());
    if let Some(rest) = s.strip_prefix("[ ]").or_else(|| s.strip_prefix("[]")) {
        return body(rest.trim(), None);
    }
    if s.starts_with("[x]") || s.starts_with("[X]") {
        return None;
    }
    let (paren, rest) = keyword(s)?;
    body(rest.trim(), paren)
}

/// `KEYWORD[(Name)]:` → the name in parentheses, if any, and the rest.
fn keyword(s: &str) -> Option<(Option<Mention>, &str)> {
    let kw = KEYWORDS.iter().find(|k| {
        s.get(..k.len())
            .is_some_and(|head| head.eq_ignore_ascii_case(k))
    })?;
    let mut rest = s[kw.len()..].trim_start();
    let mut paren = None;
    if let Some(inner) = rest.strip_prefix('(') {
        let (name, after) = inner.split_once(')')?;
        paren = Some(Mention {
            name: name.trim().trim_start_matches('@').to_string(),
            handle: name.trim().starts_with('@'),
            strong: true,
        });
        rest = after.trim_start();
    }
    let rest = rest.strip_prefix(':')?;
    Some((paren, rest))
}

fn item(assignee: Option<Mention>, text: &str, full: &str) -> Option<NoteItem> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    Some(NoteItem {
        assignee,
        text: text.to_string(),
        full: full.trim().to_string(),
    })
}

fn body(rest: &str, paren: Option<Mention>) -> Option<NoteItem> {
    if paren.is_some() {
        return item(paren, rest, rest);
    }
    if let Some(h) = rest.strip_prefix('@') {
        let (handle, text) = h.split_once(char::is_whitespace).unwrap_or((h, ""));
        let handle = handle.trim_end_matches([',', ':', '.']);
        let mention = Mention {
            name: handle.to_string(),
            handle: true,
            strong: true,
        };
        return item(
            Some(mention),
            text.trim_start_matches([':', '-', ' ']),
            rest,
        );
    }
    for sep in [" - ", " – ", " — "] {
        if let Some((name, text)) = rest.split_once(sep) {
            if is_name(name) {
                return item(Some(mention(name, true)), text, rest);
            }
        }
    }
    if let Some((name, text)) = rest.split_once(':') {
        if is_name(name) {
            return item(Some(mention(name, false)), text, rest);
        }
    }
    if let Some((name, text)) = rest.split_once(" to ") {
        if is_name(name) && !name.chars().any(is_hangul) {
            return item(Some(mention(name, false)), text, rest);
        }
    }
    if let Some((first, text)) = rest.split_once(char::is_whitespace) {
        let honorific = first.ends_with('님') || first.ends_with('씨');
        if honorific && first.chars().count() >= 2 && is_name(first) {
            return item(Some(mention(first, true)), text, rest);
        }
    }
    item(None, rest, rest)
}

fn mention(name: &str, strong: bool) -> Mention {
    Mention {
        name: name.trim().to_string(),
        handle: false,
        strong,
    }
}

use quorum_text::is_hangul_syllable as is_hangul;

/// Looks like a person's name: a Korean name of 2–5 syllables (one or two words, an
/// honorific allowed), or one to three capitalised words.
fn is_name(raw: &str) -> bool {
    let s = raw.trim();
    if s.is_empty() || s.chars().count() > 40 {
        return false;
    }
    let words: Vec<&str> = s.split_whitespace().collect();
    if s.chars().any(is_hangul) {
        let bare = super::names::strip_honorific(s);
        let n = bare.chars().filter(|c| !c.is_whitespace()).count();
        return words.len() <= 2
            && bare.chars().all(|c| is_hangul(c) || c.is_whitespace())
            && (2..=5).contains(&n);
    }
    (1..=3).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(char::is_uppercase)
                && w.chars()
                    .all(|c| c.is_alphabetic() || matches!(c, '.' | '\'' | '-'))
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(line: &str) -> NoteItem {
        let mut items = parse(line);
        assert_eq!(items.len(), 1, "{line}: {items:?}");
        items.remove(0)
    }

    fn who(line: &str) -> Option<(String, bool)> {
        one(line).assignee.map(|m| (m.name, m.strong))
    }

    #[test]
    fn checkboxes_with_handles_names_or_nobody() {
        let i = one("- [ ] @Jimin send the deck by Friday");
        assert_eq!(i.text, "send the deck by Friday");
        assert!(i.assignee.as_ref().unwrap().handle);
        assert_eq!(
            who("- [ ] Alice: update the roadmap"),
            Some(("Alice".into(), false))
        );
        assert_eq!(
            who("* [ ] Bob Stone - book the room"),
            Some(("Bob Stone".into(), true))
        );
        assert_eq!(
            one("- [ ] @지민 수요일까지 배포 확인").text,
            "수요일까지 배포 확인"
        );
        assert_eq!(who("- [ ] clean up the backlog"), None);
        assert!(parse("- [x] @Jimin already done").is_empty());
    }

    #[test]
    fn keyword_lines() {
        let i = one("TODO: Alice - update the docs (by 1/20)");
        assert_eq!(i.assignee.unwrap().name, "Alice");
        assert_eq!(i.text, "update the docs (by 1/20)");
        let i = one("todo(Bob): renew the certificate");
        assert_eq!(i.assignee.unwrap().name, "Bob");
        assert_eq!(i.text, "renew the certificate");
        let i = one("Action: Carol to draft the press release");
        assert_eq!(i.assignee.unwrap().name, "Carol");
        assert_eq!(i.text, "draft the press release");
        assert_eq!(
            one("AI: Dave: fix the build").assignee.unwrap().name,
            "Dave"
        );
        assert_eq!(one("1. Action item: order laptops").assignee, None);
        let i = one("할 일: 서연 - 회의록 공유");
        assert_eq!(i.assignee.unwrap().name, "서연");
        assert_eq!(i.text, "회의록 공유");
        assert_eq!(
            who("할일: 지민님 예산안 검토"),
            Some(("지민님".into(), true))
        );
    }

    #[test]
    fn ordinary_lines_are_not_action_items() {
        assert!(parse("Alice: I think we should ship").is_empty());
        assert!(parse("Aim: faster builds").is_empty());
        assert!(parse("Action movies are fun").is_empty());
        assert!(parse("- discussed the budget").is_empty());
        assert!(parse("TODO:   ").is_empty());
    }

    #[test]
    fn sentences_are_not_names() {
        // "Review the docs" is not a name: the whole text is the action.
        let i = one("Action: Review the docs to ensure accuracy");
        assert_eq!(i.assignee, None);
        let i = one("- [ ] fix: login bug");
        assert_eq!(i.assignee, None);
        assert_eq!(i.text, "fix: login bug");
    }
}
