//! Matching names said in a meeting to its participants.
//!
//! A participant is known by their full name, each part of a spaced name ("Alex", "Park"),
//! and, for a Korean name of three or four syllables, the given name ("박민지" → "민지").
//! Honorifics (님, 씨, 선생님, …), particles and a leading `@` are ignored.

use std::sync::LazyLock;

use regex::Regex;

use super::re;
use super::sentences::is_hangul;
use super::Participant;

/// Honorifics and titles that may follow a Korean name, longest first.
const HONORIFICS: &[&str] = &[
    "선생님",
    "팀장님",
    "매니저님",
    "과장님",
    "대리님",
    "부장님",
    "책임님",
    "선임님",
    "님",
    "씨",
];

/// Particles that may follow a Korean name, longest first.
const PARTICLES: &[&str] = &[
    "께서는",
    "께서",
    "에게",
    "한테",
    "이랑",
    "이가",
    "이는",
    "은",
    "는",
    "이",
    "가",
    "도",
    "의",
    "랑",
    "과",
    "와",
    "께",
    "야",
    "아",
];

/// Words that take 님/씨 but are not anybody's name.
const NOT_NAMES: &[&str] = &[
    "고객",
    "여러분",
    "모두",
    "다들",
    "손님",
    "회원",
    "선생",
    "아저",
    "아가",
];

/// A name found in a sentence.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct Mention<'a> {
    /// Byte range of the name with its honorific (not the particle).
    pub(crate) start: usize,
    pub(crate) end: usize,
    /// Byte offset just after a following particle, if any.
    pub(crate) end_with_particle: usize,
    pub(crate) participant: Option<&'a Participant>,
    pub(crate) name: String,
}

/// The meeting's participants, indexed by every name they may be called.
pub(crate) struct Directory<'a> {
    aliases: Vec<(String, &'a Participant)>,
}

impl<'a> Directory<'a> {
    pub(crate) fn new(participants: &'a [Participant]) -> Self {
        let mut aliases = Vec::new();
        for p in participants {
            let full = p.name.trim().to_lowercase();
            if full.is_empty() {
                continue;
            }
            aliases.push((full.clone(), p));
            aliases.push((full.replace(' ', ""), p));
            let parts: Vec<&str> = full.split_whitespace().collect();
            if parts.len() > 1 {
                aliases.extend(
                    parts
                        .iter()
                        .filter(|w| w.chars().count() > 1)
                        .map(|w| (w.to_string(), p)),
                );
            }
            let syllables: Vec<char> = full.chars().collect();
            if (3..=4).contains(&syllables.len()) && syllables.iter().all(|c| is_hangul(*c)) {
                aliases.push((syllables[syllables.len() - 2..].iter().collect(), p));
            }
        }
        aliases.sort_by(|a, b| {
            b.0.chars()
                .count()
                .cmp(&a.0.chars().count())
                .then(a.0.cmp(&b.0))
        });
        aliases.dedup_by(|a, b| a.0 == b.0 && a.1.id == b.1.id);
        Self { aliases }
    }

    /// The one participant a name refers to; `None` when unknown or ambiguous.
    pub(crate) fn resolve(&self, mention: &str) -> Option<&'a Participant> {
        let key = normalize(mention);
        if key.is_empty() {
            return None;
        }
        let mut found: Option<&'a Participant> = None;
        for (alias, p) in &self.aliases {
            if *alias == key {
                match found {
                    Some(f) if f.id != p.id => return None,
                    _ => found = Some(p),
                }
            }
        }
        found
    }

    /// Every participant named in `text`, and Korean names marked by an honorific, in order.
    pub(crate) fn mentions(&self, text: &str) -> Vec<Mention<'a>> {
        let lower = text.to_lowercase();
        let mut out: Vec<Mention<'a>> = Vec::new();
        if lower.len() == text.len() {
            for (alias, _) in &self.aliases {
                for (start, _) in lower.match_indices(alias.as_str()) {
                    let end = start + alias.len();
                    if !word_start(text, start)
                        || out.iter().any(|m| start < m.end && m.start < end)
                    {
                        continue;
                    }
                    let Some(rest) = name_tail(text, end, alias) else {
                        continue;
                    };
                    if let Some(p) = self.resolve(alias) {
                        out.push(mention(text, start, end + rest, Some(p), p.name.clone()));
                    }
                }
            }
        }
        for caps in HONORIFIC_NAME.captures_iter(text) {
            let (Some(whole), Some(name)) = (caps.get(0), caps.get(1)) else {
                continue;
            };
            let overlaps = out
                .iter()
                .any(|m| whole.start() < m.end && m.start < whole.end());
            if overlaps || NOT_NAMES.contains(&name.as_str()) || !word_start(text, whole.start()) {
                continue;
            }
            let participant = self.resolve(name.as_str());
            let name = participant.map_or_else(|| name.as_str().to_string(), |p| p.name.clone());
            out.push(mention(text, whole.start(), whole.end(), participant, name));
        }
        out.sort_by_key(|m| m.start);
        out
    }
}

static HONORIFIC_NAME: LazyLock<Regex> = LazyLock::new(|| {
    // A literal pattern: compiling it cannot fail.
    re(r"([가-힣]{2,4}?)\s?(?:선생님|님|씨)")
});

fn mention<'a>(
    text: &str,
    start: usize,
    end: usize,
    p: Option<&'a Participant>,
    name: String,
) -> Mention<'a> {
    let rest = &text[end..];
    let particle = PARTICLES
        .iter()
        .find(|x| rest.starts_with(**x))
        .map_or(0, |x| x.len());
    Mention {
        start,
        end,
        end_with_particle: end + particle,
        participant: p,
        name,
    }
}

/// Bytes of honorific after a name at `end`, or `None` when the match is inside a longer word.
fn name_tail(text: &str, end: usize, alias: &str) -> Option<usize> {
    let rest = &text[end..];
    let Some(next) = rest.chars().next() else {
        return Some(0);
    };
    if alias.chars().any(is_hangul) {
        let spaced = rest.trim_start();
        let skipped = rest.len() - spaced.len();
        if let Some(h) = HONORIFICS.iter().find(|h| spaced.starts_with(**h)) {
            return Some(skipped + h.len());
        }
        let particle = PARTICLES.iter().any(|x| rest.starts_with(*x));
        (particle || !is_hangul(next)).then_some(0)
    } else {
        (!next.is_alphanumeric()).then_some(0)
    }
}

fn word_start(text: &str, start: usize) -> bool {
    text[..start]
        .chars()
        .next_back()
        .is_none_or(|c| !c.is_alphanumeric())
}

/// Lower-case, without `@`, honorifics, particles and surrounding punctuation.
pub(crate) fn normalize(mention: &str) -> String {
    let mut s = mention
        .trim()
        .trim_start_matches('@')
        .trim_matches(|c: char| !c.is_alphanumeric())
        .to_string();
    for h in HONORIFICS {
        if let Some(stripped) = s.strip_suffix(h) {
            s = stripped.trim_end().to_string();
            break;
        }
    }
    s.to_lowercase()
}

/// A Korean name with its particle or honorific removed ("민지님이" → "민지").
pub(crate) fn bare_korean_name(word: &str) -> String {
    let mut s = word.trim().trim_start_matches('@').to_string();
    for p in PARTICLES {
        if s.chars().count() > 2 {
            if let Some(x) = s.strip_suffix(p) {
                s = x.to_string();
                break;
            }
        }
    }
    normalize(&s)
}
