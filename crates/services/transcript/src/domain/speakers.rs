//! Matching a speaker label written in notes ("Alice", "kim", "김철수님", "철수 씨") to a
//! meeting participant.
//!
//! Labels and names are compared case- and space-insensitively after dropping Korean
//! honorifics (`님`, `씨`, `선생님`). A label matches, in order of preference: a participant's
//! full name; one of its words (first or last name) or, for a Korean name written without
//! spaces, the given name (the name without its one-syllable family name); the local part of
//! the e-mail address. A label that fits several participants at the best level matches none.

use quorum_contracts::events::ParticipantRef;
use uuid::Uuid;

const HONORIFICS: [&str; 3] = ["선생님", "님", "씨"];

/// Lower case, no whitespace, no trailing honorific.
pub(crate) fn normalize(label: &str) -> String {
    let mut s: String = label
        .chars()
        .filter(|c| !c.is_whitespace())
        .flat_map(char::to_lowercase)
        .collect();
    for h in HONORIFICS {
        if s.len() > h.len() && s.ends_with(h) {
            s.truncate(s.len() - h.len());
            break;
        }
    }
    s
}

fn is_hangul_name(name: &str) -> bool {
    let n = name.chars().count();
    (3..=4).contains(&n) && name.chars().all(quorum_text::is_hangul_syllable)
}

/// The participants of one meeting, prepared for matching.
#[derive(Debug, Clone)]
pub(crate) struct Roster {
    people: Vec<Person>,
}

#[derive(Debug, Clone)]
struct Person {
    id: Uuid,
    name: String,
    full: String,
    tokens: Vec<String>,
    email: String,
}

/// A matched participant: id and display name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Match {
    pub(crate) id: Uuid,
    pub(crate) name: String,
}

impl Roster {
    pub(crate) fn new(participants: &[ParticipantRef]) -> Self {
        let people = participants
            .iter()
            .filter(|p| !p.name.trim().is_empty() || !p.email.is_empty())
            .map(|p| {
                let full = normalize(&p.name);
                let mut tokens: Vec<String> = p
                    .name
                    .split_whitespace()
                    .map(normalize)
                    .filter(|t| !t.is_empty() && *t != full)
                    .collect();
                if is_hangul_name(&full) {
                    tokens.push(full.chars().skip(1).collect());
                }
                let email = p.email.split('@').next().unwrap_or("").to_lowercase();
                Person {
                    id: p.user_id,
                    name: p.name.trim().to_string(),
                    full,
                    tokens,
                    email,
                }
            })
            .collect();
        Self { people }
    }

    /// The participant `label` names, if exactly one fits at the best matching level.
    pub(crate) fn find(&self, label: &str) -> Option<Match> {
        let key = normalize(label);
        if key.is_empty() {
            return None;
        }
        let levels: [&dyn Fn(&Person) -> bool; 3] = [
            &|p| !p.full.is_empty() && p.full == key,
            &|p| p.tokens.contains(&key),
            &|p| !p.email.is_empty() && p.email == key,
        ];
        for level in levels {
            let mut found = self.people.iter().filter(|p| level(p));
            if let Some(first) = found.next() {
                if found.next().is_some() {
                    return None;
                }
                let name = if first.name.is_empty() {
                    label.trim().to_string()
                } else {
                    first.name.clone()
                };
                return Some(Match { id: first.id, name });
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn person(name: &str, email: &str) -> ParticipantRef {
        ParticipantRef {
            user_id: Uuid::new_v4(),
            name: name.into(),
            email: email.into(),
        }
    }

    #[test]
    fn full_names_match_ignoring_case_and_spaces() {
        let alice = person("Alice Kim", "alice@example.com");
        let roster = Roster::new(std::slice::from_ref(&alice));
        for label in ["Alice Kim", "alice kim", "ALICEKIM", " Alice  Kim "] {
            assert_eq!(
                roster.find(label).map(|m| m.id),
                Some(alice.user_id),
                "{label}"
            );
        }
        assert_eq!(roster.find("Alice Kim").unwrap().name, "Alice Kim");
        assert!(roster.find("Alicia").is_none());
    }

    #[test]
    fn first_or_last_name_and_email_match_when_unambiguous() {
        let alice = person("Alice Kim", "ak@example.com");
        let bob = person("Bob Kim", "bob.lee@example.com");
        let roster = Roster::new(&[alice.clone(), bob.clone()]);
        assert_eq!(roster.find("alice").unwrap().id, alice.user_id);
        assert_eq!(roster.find("Bob").unwrap().id, bob.user_id);
        assert_eq!(roster.find("ak").unwrap().id, alice.user_id);
        assert!(
            roster.find("Kim").is_none(),
            "two participants are called Kim"
        );
    }

    #[test]
    fn korean_names_match_with_honorifics_and_given_names() {
        let chulsoo = person("김철수", "cs@example.com");
        let younghee = person("이영희", "yh@example.com");
        let roster = Roster::new(&[chulsoo.clone(), younghee.clone()]);
        for label in [
            "김철수",
            "김철수님",
            "김철수 님",
            "철수 씨",
            "철수님",
            "김 철수",
        ] {
            assert_eq!(
                roster.find(label).map(|m| m.id),
                Some(chulsoo.user_id),
                "{label}"
            );
        }
        assert_eq!(roster.find("영희").unwrap().id, younghee.user_id);
        assert!(roster.find("님").is_none());
        assert!(roster.find("박민수").is_none());
    }

    #[test]
    fn the_full_name_wins_over_another_persons_token() {
        let ann = person("Ann", "");
        let lee = person("Ann Lee", "");
        let roster = Roster::new(&[ann.clone(), lee.clone()]);
        assert_eq!(roster.find("ann").unwrap().id, ann.user_id);
        assert_eq!(roster.find("lee").unwrap().id, lee.user_id);
    }
}
