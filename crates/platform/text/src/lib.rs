//! Korean and English text helpers shared by the services, so each question about text has
//! one answer: what counts as Hangul is decided here, not once per service.
//!
//! Two questions, two functions: [`is_hangul_syllable`] (a complete syllable block, 가–힣:
//! what names, words and stems are made of) and [`is_hangul`] (any Hangul letter, syllables
//! and the jamo alphabets: what language detection counts, since typed text may hold a lone
//! ㅋ or ㅠ).

/// A precomposed Hangul syllable (U+AC00–U+D7A3).
pub fn is_hangul_syllable(c: char) -> bool {
    ('\u{AC00}'..='\u{D7A3}').contains(&c)
}

/// Any Hangul letter: a syllable, a conjoining jamo (U+1100–U+11FF) or a compatibility jamo
/// (U+3130–U+318F).
pub fn is_hangul(c: char) -> bool {
    matches!(c, '\u{AC00}'..='\u{D7A3}' | '\u{1100}'..='\u{11FF}' | '\u{3130}'..='\u{318F}')
}

/// Whether `text` holds any Hangul letter.
pub fn has_hangul(text: &str) -> bool {
    text.chars().any(is_hangul)
}

/// Whether `text` holds a Hangul syllable.
pub fn has_hangul_syllable(text: &str) -> bool {
    text.chars().any(is_hangul_syllable)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syllables_and_jamo_are_told_apart() {
        for c in ['가', '힣', '회'] {
            assert!(is_hangul_syllable(c) && is_hangul(c), "{c}");
        }
        for c in ['ㅋ', 'ㅠ', '\u{1100}'] {
            assert!(!is_hangul_syllable(c) && is_hangul(c), "{c}");
        }
        for c in ['a', 'Z', '1', '日', ' '] {
            assert!(!is_hangul_syllable(c) && !is_hangul(c), "{c}");
        }
        assert!(has_hangul("deploy 배포") && has_hangul("ㅋㅋ"));
        assert!(!has_hangul_syllable("ㅋㅋ") && has_hangul_syllable("회의 notes"));
        assert!(!has_hangul("meeting notes"));
    }
}
