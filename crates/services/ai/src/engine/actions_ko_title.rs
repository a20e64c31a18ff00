//! Turning a Korean task sentence into a short title: names, first-person words, dates,
//! fillers and the polite ending go; the verb becomes a noun phrase ("작성하겠습니다" → "작성",
//! "보내 주세요" → "보내기", "알려 주세요" → "알리기").

use std::sync::LazyLock;

use regex::Regex;

use super::actions_ko::{jong, vowel, with_vowel};
use super::dates::{self, DateContext};
use super::names::Directory;
use super::re;
use super::sentences::is_hangul;

/// What is left once an ending is cut: a noun phrase, a verb stem (보내, 만들) or a verb in
/// its connective 아/어 form (보내, 만들어, 알려).
#[derive(Clone, Copy, Debug, PartialEq)]
enum Tail {
    Noun,
    Stem,
    Connective,
    /// Ends in an adnominal ㄹ form (발표할, 보낼).
    Adnominal,
}

static ENDINGS: LazyLock<Vec<(Regex, Tail)>> = LazyLock::new(|| {
    vec![
        (re(r"하는\s*(?:걸로|것으로)\s*\S+$"), Tail::Noun),
        (re(r"는\s*(?:걸로|것으로)\s*\S+$"), Tail::Stem),
        (
            re(
                r"\s*(?:을|를)?\s*부탁(?:드립니다|드려요|드릴게요|드리겠습니다|합니다|해요|드려도\s*될까요)$",
            ),
            Tail::Noun,
        ),
        (
            re(
                r"\s*주(?:세요|십시오|시기\s*바랍니다|시길\s*바랍니다|시겠어요|시겠습니까|실래요|실\s*수\s*있(?:나요|을까요|어요|으신가요|으세요)|시면\s*(?:좋|감사하)겠습니다|셨으면\s*(?:좋겠습니다|좋겠어요|합니다|해요))$|\s*(?:줄래요|줄\s*수\s*있어요|줘요)$",
            ),
            Tail::Connective,
        ),
        (
            re(r"\s*하(?:셔야|시면)\s*(?:합니다|해요|됩니다|돼요)$"),
            Tail::Noun,
        ),
        (
            re(r"(?:셔야|시면)\s*(?:합니다|해요|됩니다|돼요)$"),
            Tail::Stem,
        ),
        (re(r"하기로\s*(?:했|하였|합의|결정)\S*$"), Tail::Noun),
        (re(r"기로\s*(?:했|하였|합의|결정)\S*$"), Tail::Stem),
        (
            re(r"\s*주실\s*(?:예정|계획)(?:입니다|이에요|예요)$"),
            Tail::Connective,
        ),
        (
            re(r"하실\s*(?:예정|계획)(?:입니다|이에요|예요)$"),
            Tail::Noun,
        ),
        (
            re(r"\s*(?:예정|계획)(?:입니다|이에요|예요)$"),
            Tail::Adnominal,
        ),
        (
            re(r"(?:하도록\s*)?하겠(?:습니다|어요)$|해야겠(?:습니다|어요)$"),
            Tail::Noun,
        ),
        (re(r"\s*드리겠(?:습니다|어요)$"), Tail::Connective),
        (re(r"겠(?:습니다|어요)$"), Tail::Stem),
        (re(r"게요$"), Tail::Adnominal),
    ]
});
static FIRST_PERSON: LazyLock<Regex> =
    LazyLock::new(|| re(r"(?:^|\s)(?:제가|저는|저도|내가|저희가|저희는|저희\s*팀이|전)(?:\s|$)"));
static ADVERBS: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"(?:^|\s)(?:꼭|반드시|좀|한번|한\s번|먼저|빨리|미리|다시|직접|최대한|우선|일단|바로|얼른|잘|그럼|그러면|그리고|혹시|그래서)(?:\s|$)",
    )
});
static FILLER: LazyLock<Regex> = LazyLock::new(|| {
    re(
        r"^(?:(?:네|예|음|자|아|그럼|그러면|그리고|일단|우선|혹시|또|그래서|좋습니다|좋아요|알겠습니다|그렇다면|참)[,.!]?\s+)+",
    )
});
static SPACES: LazyLock<Regex> = LazyLock::new(|| re(r"\s+"));
static EMPTY_BRACKETS: LazyLock<Regex> = LazyLock::new(|| re(r"\(\s*\)|\[\s*\]"));

/// A short Korean title for a task sentence.
pub(crate) fn title(task: &str, directory: &Directory<'_>, ctx: &DateContext) -> String {
    let mut spans = dates::find(task, ctx).spans;
    spans.extend(
        directory
            .mentions(task)
            .iter()
            .map(|m| (m.start, m.end_with_particle)),
    );
    spans.sort_unstable();
    let mut kept = String::with_capacity(task.len());
    let mut at = 0;
    for (start, end) in spans {
        if start >= at {
            kept.push_str(&task[at..start]);
            kept.push(' ');
        }
        at = at.max(end);
    }
    kept.push_str(&task[at.min(task.len())..]);
    let mut s = EMPTY_BRACKETS.replace_all(&kept, " ").into_owned();
    for _ in 0..2 {
        s = FIRST_PERSON.replace_all(&s, " ").into_owned();
        s = ADVERBS.replace_all(&s, " ").into_owned();
    }
    let s = SPACES.replace_all(s.trim(), " ");
    let s = FILLER.replace(&s, "");
    let s = s
        .trim_end_matches(|c: char| ".!?~,;:-–— ".contains(c))
        .trim_start_matches(|c: char| "-–—:, ".contains(c));
    let phrase = strip_ending(s);
    let words: Vec<String> = phrase
        .split_whitespace()
        .enumerate()
        .map(|(i, w)| particle_free(w, i == 0))
        .collect();
    words
        .join(" ")
        .trim_matches(|c: char| "-–—:,() ".contains(c))
        .to_string()
}

/// Cuts the polite ending and turns what is left into a noun phrase.
fn strip_ending(s: &str) -> String {
    for (ending, tail) in ENDINGS.iter() {
        if let Some(m) = ending.find(s) {
            if *tail == Tail::Adnominal
                && s[..m.start()].chars().next_back().and_then(jong) != Some(8)
            {
                continue;
            }
            return nominalise(s[..m.start()].trim_end(), *tail);
        }
    }
    s.to_string()
}

fn nominalise(s: &str, tail: Tail) -> String {
    let mut chars: Vec<char> = s.chars().collect();
    let Some(&last) = chars.last() else {
        return String::new();
    };
    let word_len = s.rsplit(' ').next().map_or(0, |w| w.chars().count());
    match tail {
        Tail::Noun => s.to_string(),
        Tail::Adnominal => {
            if let Some(l) = chars.last_mut() {
                *l = char::from_u32(last as u32 - 8).unwrap_or(last);
            }
            nominalise(&chars.iter().collect::<String>(), Tail::Stem)
        }
        Tail::Stem if s.ends_with("드리") => {
            nominalise(s.trim_end_matches("드리").trim_end(), Tail::Connective)
        }
        Tail::Stem if last == '하' && word_len > 1 => chars[..chars.len() - 1].iter().collect(),
        Tail::Stem => format!("{s}기"),
        Tail::Connective if last == '해' && word_len > 1 => {
            chars[..chars.len() - 1].iter().collect()
        }
        Tail::Connective if last == '해' => format!("{}하기", &s[..s.len() - '해'.len_utf8()]),
        Tail::Connective if (last == '어' || last == '아') && word_len > 1 => {
            format!("{}기", chars[..chars.len() - 1].iter().collect::<String>())
        }
        Tail::Connective => {
            let base = match vowel(last) {
                Some(6) => with_vowel(last, 20),  // ㅕ → ㅣ: 알려 → 알리
                Some(14) => with_vowel(last, 13), // ㅝ → ㅜ: 바꿔 → 바꾸
                Some(9) => with_vowel(last, 8),   // ㅘ → ㅗ: 봐 → 보
                _ => last,
            };
            if let Some(l) = chars.last_mut() {
                *l = base;
            }
            format!("{}기", chars.iter().collect::<String>())
        }
    }
}

/// A word without its object particle (보고서를 → 보고서) or, first, its topic particle.
fn particle_free(word: &str, first: bool) -> String {
    let n = word.chars().count();
    let hangul = word.chars().all(is_hangul);
    let strip = |suffix: char, min: usize| {
        (hangul && n >= min && word.ends_with(suffix)).then(|| word.trim_end_matches(suffix))
    };
    strip('를', 2)
        .or_else(|| strip('을', 3))
        .or_else(|| {
            if first {
                strip('은', 3).or_else(|| strip('는', 3))
            } else {
                None
            }
        })
        .unwrap_or(word)
        .to_string()
}
