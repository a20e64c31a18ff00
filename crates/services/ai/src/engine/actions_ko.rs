//! Korean action items: commitments (제가 …하겠습니다, …할게요), requests to a named person
//! (민지님 …해 주세요, …부탁드립니다), agreed assignments (민지 씨가 …하기로 했습니다), and the
//! cleaning of a task into a short title ("제가 금요일까지 보고서 작성하겠습니다" → "보고서
//! 작성"). Questions, wishes (좋겠네요, 할까요), negations and past reports never match.

use std::sync::LazyLock;

use regex::Regex;

use super::actions::{Raw, Who};
use super::names::{Directory, Mention};
use super::re;
use super::sentences::is_hangul;

static REQUEST: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"주(?:세요|십시오|시기\s*바랍니다|시길\s*바랍니다|시겠어요|시겠습니까|실래요|실\s*수\s*있(?:나요|을까요|어요|으신가요|으세요)|시면\s*(?:좋|감사하)겠습니다|셨으면\s*(?:좋겠|합니다|해요))|줄래요|줄\s*수\s*있어요|줘요|부탁(?:드립니다|드려요|드릴게요|드리겠습니다|합니다|해요|드려도)|(?:하|해|보내|[가-힣])셔야\s*(?:합니다|해요|됩니다)|시면\s*(?:됩니다|돼요)",
    )
});
static QUESTION: LazyLock<Regex> = LazyLock::new(|| re(r"(?:\?|？|나요|까요|습니까|가요)[.\s]*$"));
static HYPOTHETICAL: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"좋겠네요|좋을\s*것\s*같|수도\s*있|어떨까|어떨지|볼까요|할까요|고민|생각\s*중|생각해\s*보|하면\s*좋|만약|것\s*같아요|것\s*같습니다|같네요|지도\s*몰라|나중에\s*여유",
    )
});
pub(crate) static NEGATIVE: LazyLock<Regex> = LazyLock::new(|| {
    re(r"않겠|않을|안\s*하|안\s*할|못\s*하|못\s*할|필요\s*없|필요는\s*없|어렵겠|어려울")
});
static AGREED: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"기로\s*(?:했|하였|합의|결정)|(?:예정|계획)(?:입니다|이에요|예요)|걸로\s*(?:하겠|하죠|합시다|정하)",
    )
});
static COMMIT: LazyLock<Regex> = LazyLock::new(|| re(r"([가-힣]*)겠(?:습니다|어요)|([가-힣])게요"));
static FIRST_PERSON: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|\s)(?:제가|저는|저도|내가|저희가|저희\s*팀이|전)(?:\s|$)"));

/// Stems before 겠 that express a feeling or guess, not a commitment.
const NOT_COMMITS: &[&str] = &[
    "알",
    "좋",
    "모르",
    "같",
    "있",
    "없",
    "되",
    "감사하",
    "괜찮",
    "어렵",
    "힘들",
    "맞",
    "그렇",
    "싶",
    "반갑",
    "바라",
    "궁금하",
];

/// The task in a Korean sentence, if it is one.
pub(crate) fn detect(text: &str, speaker: Option<&str>, directory: &Directory<'_>) -> Option<Raw> {
    let s = text.trim();
    let speaker_id = speaker.and_then(|n| directory.resolve(n)).map(|p| p.id);
    let mentions = directory.mentions(s);
    let others: Vec<&Mention<'_>> = mentions
        .iter()
        .filter(|m| {
            m.participant.is_none_or(|p| Some(p.id) != speaker_id)
                && Some(m.name.as_str()) != speaker
        })
        .collect();
    let named = |m: &Mention<'_>| {
        Some(Raw {
            who: Who::Named(m.name.clone()),
            task: s.to_string(),
        })
    };
    let negative = NEGATIVE.is_match(s);
    if REQUEST.is_match(s) && !negative {
        return named(others.first()?);
    }
    if QUESTION.is_match(s) || HYPOTHETICAL.is_match(s) || negative {
        return None;
    }
    let subject = others.iter().find(|m| is_subject(s, m)).copied();
    let me = || {
        Some(Raw {
            who: Who::Speaker,
            task: s.to_string(),
        })
    };
    if AGREED.is_match(s) {
        if FIRST_PERSON.is_match(s) {
            return me();
        }
        return named(subject.or(others.first().copied())?);
    }
    if commits(s) {
        if FIRST_PERSON.is_match(s) {
            return me();
        }
        return subject.map_or_else(me, named);
    }
    None
}

/// A 겠습니다 or ㄹ게요 ending that promises something.
fn commits(s: &str) -> bool {
    COMMIT.captures_iter(s).any(|c| match (c.get(1), c.get(2)) {
        (Some(stem), _) if c.get(0).is_some_and(|m| m.as_str().contains('겠')) => {
            !NOT_COMMITS.iter().any(|x| stem.as_str().ends_with(x))
        }
        (_, Some(last)) => last
            .as_str()
            .chars()
            .next()
            .is_some_and(|ch| jong(ch) == Some(8)),
        _ => false,
    })
}

/// Whether a name is followed by a subject particle (민지님이, 철수 씨가, 팀장님께서).
fn is_subject(text: &str, m: &Mention<'_>) -> bool {
    let particle = &text[m.end..m.end_with_particle];
    ["이", "가", "께서", "께서는", "은", "는", "이가", "이는"].contains(&particle)
}

/// The final consonant index of a Hangul syllable (8 is ㄹ).
pub(crate) fn jong(c: char) -> Option<u32> {
    is_hangul(c).then(|| (c as u32 - 0xAC00) % 28)
}

/// A syllable with its vowel replaced (index into the 21 medial vowels) and no final consonant.
pub(crate) fn with_vowel(c: char, vowel: u32) -> char {
    let code = c as u32 - 0xAC00;
    char::from_u32(0xAC00 + (code / 588) * 588 + vowel * 28).unwrap_or(c)
}

pub(crate) fn vowel(c: char) -> Option<u32> {
    is_hangul(c).then(|| ((c as u32 - 0xAC00) % 588) / 28)
}
