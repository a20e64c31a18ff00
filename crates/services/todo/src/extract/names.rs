//! Matching a name written in the notes (`Jimin`, `@jimin`, `김지민님`) to a participant.
//!
//! Tiers, tried in order; a tier that matches exactly one participant wins, one that
//! matches several is ambiguous (no assignee), one that matches none passes to the next:
//! 1. the whole name (case, spaces and `._-` ignored);
//! 2. a part of it: first word, last word, or the given name of a Korean name written
//!    without spaces (`김지민` → `지민`);
//! 3. for an `@handle` only: the whole name or a part starting with the handle.
//!
//! Honorifics (`님`, `씨`) are stripped first.

use uuid::Uuid;

/// A participant and their display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Person {
    pub(crate) id: Uuid,
    pub(crate) name: String,
}

/// `name` without a trailing Korean honorific.
pub(crate) fn strip_honorific(name: &str) -> &str {
    let n = name.trim();
    let stripped = n
        .strip_suffix('님')
        .or_else(|| n.strip_suffix('씨'))
        .map(str::trim_end);
    match stripped {
        Some(s) if !s.is_empty() => s,
        _ => n,
    }
}

/// Lowercase, without whitespace and `._-`.
pub(crate) fn fold(s: &str) -> String {
    s.chars()
        .filter(|c| !c.is_whitespace() && !matches!(c, '.' | '_' | '-'))
        .flat_map(char::to_lowercase)
        .collect()
}

use quorum_text::is_hangul_syllable as is_hangul;

/// The parts a person may be called by.
fn parts(name: &str) -> Vec<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    let mut out = Vec::new();
    if words.len() > 1 {
        out.extend(words.first().map(|w| fold(w)));
        out.extend(words.last().map(|w| fold(w)));
    }
    let compact: Vec<char> = fold(name).chars().collect();
    if (3..=4).contains(&compact.len()) && compact.iter().all(|c| is_hangul(*c)) {
        out.push(compact[compact.len() - 2..].iter().collect());
    }
    out
}

fn unique(people: &[Person], test: impl Fn(&Person) -> bool) -> Result<&Person, bool> {
    let mut hits = people.iter().filter(|p| test(p));
    match (hits.next(), hits.next()) {
        (Some(p), None) => Ok(p),
        (Some(_), Some(_)) => Err(true),
        _ => Err(false),
    }
}

/// The one participant `raw` names, if exactly one does at the first tier that matches.
pub(crate) fn find<'a>(people: &'a [Person], raw: &str, handle: bool) -> Option<&'a Person> {
    let wanted = fold(strip_honorific(raw.trim_start_matches('@')));
    if wanted.is_empty() {
        return None;
    }
    let tiers: [&dyn Fn(&Person) -> bool; 3] = [
        &|p| fold(&p.name) == wanted,
        &|p| parts(&p.name).contains(&wanted),
        &|p| {
            handle
                && wanted.chars().count() >= 2
                && (fold(&p.name).starts_with(&wanted)
                    || parts(&p.name).iter().any(|x| x.starts_with(&wanted)))
        },
    ];
    for tier in tiers {
        match unique(people, tier) {
            Ok(p) => return Some(p),
            Err(true) => return None,
            Err(false) => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn people() -> Vec<Person> {
        [
            "Alice Kim",
            "Bob Stone",
            "김지민",
            "이 서연",
            "Bobby Tables",
        ]
        .iter()
        .map(|n| Person {
            id: Uuid::new_v4(),
            name: (*n).into(),
        })
        .collect()
    }

    fn who(raw: &str, handle: bool) -> Option<String> {
        find(&people(), raw, handle).map(|p| p.name.clone())
    }

    #[test]
    fn full_first_last_and_korean_given_names_match() {
        assert_eq!(who("alice kim", false).as_deref(), Some("Alice Kim"));
        assert_eq!(who("Alice", false).as_deref(), Some("Alice Kim"));
        assert_eq!(who("Stone", false).as_deref(), Some("Bob Stone"));
        assert_eq!(who("지민", false).as_deref(), Some("김지민"));
        assert_eq!(who("김지민", false).as_deref(), Some("김지민"));
        assert_eq!(who("서연", false).as_deref(), Some("이 서연"));
    }

    #[test]
    fn honorifics_are_stripped() {
        assert_eq!(who("지민님", false).as_deref(), Some("김지민"));
        assert_eq!(who("서연 씨", false).as_deref(), Some("이 서연"));
    }

    #[test]
    fn handles_match_by_prefix_but_plain_names_do_not() {
        assert_eq!(who("@alicekim", true).as_deref(), Some("Alice Kim"));
        assert_eq!(who("@ali", true).as_deref(), Some("Alice Kim"));
        assert_eq!(who("@지민", true).as_deref(), Some("김지민"));
        assert_eq!(who("ali", false), None);
    }

    #[test]
    fn ambiguous_or_unknown_names_match_nobody() {
        // "Bob" is Bob Stone's first name exactly, so tier 2 wins over Bobby's prefix.
        assert_eq!(who("@bob", true).as_deref(), Some("Bob Stone"));
        assert_eq!(who("@bo", true), None);
        assert_eq!(who("Carol", false), None);
        assert_eq!(who("", false), None);
    }
}
