//! Decisions: sentences that record an outcome ("we decided", "we'll go with", "Decision:",
//! "결정", "하기로 했습니다", "확정", "합의"), not ones that only talk about deciding
//! ("we haven't decided", "결정해야 합니다") or ask about it.

use std::sync::LazyLock;

use super::re;
use regex::Regex;

static DECISION: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\bwe(?:['’]ve|\s+have|\s+all)?\s+(?:decided|agreed)\b|\b(?:it\s+was|it['’]s|it\s+is|that['’]s|that\s+is)\s+(?:decided|agreed|final)\b|\b(?:decision|decided|agreed|resolution)\s*[:：]|\bwe(?:['’]ll|\s+will)\s+go\s+with\b|\bwe(?:['’]re|\s+are)\s+going\s+(?:with|ahead)\b|\bfinal\s+decision\b|\bconsensus\b|\b(?:team|everyone|all)\s+(?:decided|agreed)\b|\bis\s+approved\b|\bwe\s+approved\b|결정|기로\s*(?:했|하였|합의)|확정|합의",
    )
});
static UNDECIDED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?i)\b(?:not|haven['’]t|hasn['’]t|didn['’]t|undecided|yet\s+to|need\s+to\s+decide|should\s+decide|will\s+decide|to\s+be\s+decided|tbd|if\s+we)\b|결정\s*(?:하지|을?\s*못|해야|할|을\s*내려야|이\s*필요|하면|되면|전)|미정|보류|결정된\s*(?:게|것이|건)\s*없|합의가?\s*(?:안|못)|확정\s*(?:전|되지|안|되면|해야)|확정된\s*(?:게|것이|건)\s*없|결정할",
    )
});
static QUESTION: LazyLock<Regex> = LazyLock::new(|| re(r"(?:\?|？|나요|까요|습니까)[.\s]*$"));
static PREFIX: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^\s*(?:[-*•]\s*)?(?i:decision|decided|agreed|resolution|결정\s*사항|결정|합의\s*사항)\s*[:：]\s*",
    )
});

/// The decisions recorded in the meeting, in order and without repeats, each with the
/// position in `sentences` where it was first said.
pub(crate) fn extract(sentences: &[&str]) -> Vec<(String, usize)> {
    let mut out: Vec<(String, usize)> = Vec::new();
    for (at, s) in sentences.iter().enumerate() {
        if !DECISION.is_match(s) || UNDECIDED.is_match(s) || QUESTION.is_match(s) {
            continue;
        }
        let text = PREFIX.replace(s, "").trim().to_string();
        if !text.is_empty() && !out.iter().any(|(seen, _)| *seen == text) {
            out.push((text, at));
        }
    }
    out
}
