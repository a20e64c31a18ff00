//! Whether two action-item titles say the same thing (see the dedupe rule in the crate doc).
//!
//! A title is reduced to a set of tokens: date phrases removed, lowercased, punctuation
//! turned into spaces, filler words dropped, a plural `s` and common Korean particles and
//! verb endings cut. Two sets are similar when their Jaccard index is at least 0.6, or when
//! one contains the other and the smaller has two tokens or more (or the larger at most two).

use std::collections::BTreeSet;

use super::dates;

const FILLER: &[&str] = &[
    "a",
    "an",
    "the",
    "to",
    "and",
    "please",
    "pls",
    "for",
    "of",
    "on",
    "by",
    "will",
    "should",
    "need",
    "needs",
    "must",
    "we",
    "i",
    "it",
    "asap",
    "be",
    "with",
    "our",
    "their",
    "his",
    "her",
    "좀",
    "꼭",
    "부탁",
    "부탁드립니다",
    "해주세요",
    "바랍니다",
    "완료",
];

const KO_SUFFIXES: &[&str] = &[
    "해주세요",
    "하겠습니다",
    "합니다",
    "하기로",
    "하기",
    "하자",
    "한다",
    "으로",
    "을",
    "를",
    "이",
    "가",
    "은",
    "는",
    "에",
    "의",
    "로",
    "와",
    "과",
    "도",
];

use quorum_text::is_hangul_syllable as is_hangul;

fn stem(token: &str) -> String {
    if token.chars().any(is_hangul) {
        for suffix in KO_SUFFIXES {
            if let Some(s) = token.strip_suffix(suffix) {
                if s.chars().count() >= 2 || (s.chars().count() == 1 && suffix.chars().count() > 1)
                {
                    return s.to_string();
                }
            }
        }
        return token.to_string();
    }
    match token.strip_suffix('s') {
        Some(s) if s.len() >= 3 && !s.ends_with('s') => s.to_string(),
        _ => token.to_string(),
    }
}

/// The comparable tokens of a title.
pub(crate) fn tokens(title: &str) -> BTreeSet<String> {
    let lower = dates::strip(title).to_lowercase();
    let spaced: String = lower
        .chars()
        .map(|c| if c.is_alphanumeric() { c } else { ' ' })
        .collect();
    spaced
        .split_whitespace()
        .filter(|t| !FILLER.contains(t))
        .map(stem)
        .filter(|t| !t.is_empty() && !FILLER.contains(&t.as_str()))
        .collect()
}

/// The similarity test of the dedupe rule.
pub(crate) fn similar(a: &BTreeSet<String>, b: &BTreeSet<String>) -> bool {
    if a.is_empty() || b.is_empty() {
        return a.is_empty() && b.is_empty();
    }
    let common = a.intersection(b).count();
    let union = a.len() + b.len() - common;
    if common * 5 >= union * 3 {
        return true;
    }
    let (small, large) = if a.len() <= b.len() { (a, b) } else { (b, a) };
    common == small.len() && (small.len() >= 2 || large.len() <= 2)
}

/// Lowercase name without spaces or honorific, for comparing unresolved assignees.
pub(crate) fn person_key(name: &str) -> String {
    super::names::fold(super::names::strip_honorific(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn same(a: &str, b: &str) -> bool {
        similar(&tokens(a), &tokens(b))
    }

    #[test]
    fn normalisation_drops_dates_fillers_and_punctuation() {
        let t = tokens("Please send the Q3 report by Friday!");
        assert_eq!(t, ["q3", "report", "send"].map(String::from).into());
        let t = tokens("수요일까지 배포를 확인하기");
        assert_eq!(t, ["배포", "확인"].map(String::from).into());
    }

    #[test]
    fn same_action_in_other_words_is_similar() {
        assert!(same("send the deck by Friday", "Send deck"));
        assert!(same("Update the docs (by 1/20)", "update docs"));
        assert!(same(
            "Book the meeting room",
            "book meeting rooms for the offsite"
        ));
        assert!(same("배포 확인", "수요일까지 배포를 확인하기"));
        assert!(same(
            "Review the budget draft",
            "review budget draft and the plan"
        ));
    }

    #[test]
    fn different_actions_are_not() {
        assert!(!same("send the deck", "review the deck with finance team"));
        assert!(!same("Update the docs", "Update the pricing page"));
        assert!(!same("배포 확인", "예산안 검토"));
        assert!(!same("Fix login", "Fix the checkout flow"));
    }

    #[test]
    fn person_keys_ignore_case_spaces_and_honorifics() {
        assert_eq!(person_key("Alice Kim"), person_key("alice  kim"));
        assert_eq!(person_key("지민님"), person_key("지민"));
    }
}
