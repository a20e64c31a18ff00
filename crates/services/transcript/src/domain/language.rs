//! Language detection: Korean when Hangul makes up at least a fifth of the letters.

/// Share of Hangul among letters (in percent) from which a text counts as Korean. Korean
/// notes are full of English product names and abbreviations, so the bar is low.
const KOREAN_MIN_PERCENT: usize = 20;

use quorum_text::is_hangul;

/// `ko` or `en` (also for text without letters).
pub(crate) fn detect<'a>(texts: impl IntoIterator<Item = &'a str>) -> &'static str {
    let (mut letters, mut hangul) = (0_usize, 0_usize);
    for c in texts.into_iter().flat_map(str::chars) {
        if c.is_alphabetic() {
            letters += 1;
            if is_hangul(c) {
                hangul += 1;
            }
        }
    }
    if letters > 0 && hangul * 100 >= letters * KOREAN_MIN_PERCENT {
        "ko"
    } else {
        "en"
    }
}

#[cfg(test)]
mod tests {
    use super::detect;

    #[test]
    fn korean_with_english_terms_is_korean() {
        assert_eq!(detect(["이번 주 API 배포는 금요일까지 완료합니다"]), "ko");
        assert_eq!(detect(["김철수: Kubernetes cluster 업그레이드 진행"]), "ko");
    }

    #[test]
    fn english_and_empty_text_are_english() {
        assert_eq!(detect(["We ship the release on Friday."]), "en");
        assert_eq!(detect(["", "12:30 — 42"]), "en");
        assert_eq!(detect(std::iter::empty::<&str>()), "en");
    }

    #[test]
    fn a_few_korean_words_in_english_text_stay_english() {
        let text = "The team discussed the roadmap for the next quarter. 감사합니다";
        assert_eq!(detect([text]), "en");
    }

    #[test]
    fn the_threshold_is_a_fifth_of_the_letters() {
        // 2 Hangul of 10 letters: exactly 20 %.
        assert_eq!(detect(["가나abcdefgh"]), "ko");
        assert_eq!(detect(["가abcdefghi"]), "en");
    }
}
