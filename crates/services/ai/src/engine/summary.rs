//! Extractive summary by TextRank (Mihalcea & Tarau, 2004): sentences are nodes, edges are
//! weighted by token overlap normalised by the log of the sentences' lengths, and a weighted
//! PageRank (damping 0.85, iterated to convergence) ranks them. The top three, or a fifth of
//! the meeting up to five, are returned in their original order.
//!
//! Tokens: English words, lower-cased, without stopwords, lightly stemmed; Korean words with
//! common particles and endings stripped, as character bigrams.

use std::collections::BTreeSet;

use super::sentences::is_hangul;

const DAMPING: f64 = 0.85;
const TOLERANCE: f64 = 1e-6;
const MAX_ITERATIONS: usize = 200;

const STOPWORDS: &[&str] = &[
    "a", "about", "after", "again", "all", "also", "am", "an", "and", "any", "are", "as", "at",
    "be", "been", "before", "being", "but", "by", "can", "could", "did", "do", "does", "doing",
    "don't", "for", "from", "get", "got", "had", "has", "have", "he", "her", "here", "him", "his",
    "how", "i", "i'll", "i'm", "if", "in", "into", "is", "it", "it's", "its", "just", "let's",
    "me", "more", "my", "no", "not", "now", "of", "ok", "okay", "on", "one", "or", "our", "out",
    "over", "really", "right", "she", "should", "so", "some", "than", "that", "that's", "the",
    "their", "them", "then", "there", "these", "they", "think", "this", "those", "to", "too", "up",
    "us", "very", "was", "we", "we'll", "we're", "were", "what", "when", "where", "which", "who",
    "why", "will", "with", "would", "yeah", "yes", "you", "your", "you're", "go", "going", "sure",
    "thanks", "well", "like", "good", "great",
];

/// Particles and endings cut from the end of Korean words, longest first.
const KO_SUFFIXES: &[&str] = &[
    "하겠습니다",
    "했습니다",
    "합니다",
    "됩니다",
    "입니다",
    "습니다",
    "겠습니다",
    "해주세요",
    "주세요",
    "에서는",
    "으로는",
    "까지는",
    "이라고",
    "에서",
    "으로",
    "까지",
    "부터",
    "에게",
    "한테",
    "께서",
    "처럼",
    "보다",
    "라고",
    "해요",
    "어요",
    "아요",
    "예요",
    "이에요",
    "네요",
    "세요",
    "하고",
    "이랑",
    "은",
    "는",
    "이",
    "가",
    "을",
    "를",
    "에",
    "의",
    "도",
    "와",
    "과",
    "로",
    "만",
    "요",
];

/// The summary: central sentences, in meeting order, joined by spaces.
pub(crate) fn summarize(sentences: &[&str]) -> String {
    let tokens: Vec<BTreeSet<String>> = sentences.iter().map(|s| tokenize(s)).collect();
    let scores = rank(&tokens);
    let n = sentences.len();
    let want = if n <= 3 {
        n
    } else {
        ((n as f64 * 0.2).round() as usize).clamp(3, 5)
    };
    let mut order: Vec<usize> = (0..n).filter(|&i| tokens[i].len() >= 2).collect();
    if order.len() < want {
        order = (0..n).collect();
    }
    order.sort_by(|&a, &b| scores[b].total_cmp(&scores[a]).then(a.cmp(&b)));
    let mut chosen: Vec<usize> = order.into_iter().take(want).collect();
    chosen.sort_unstable();
    chosen
        .iter()
        .map(|&i| sentences[i])
        .collect::<Vec<_>>()
        .join(" ")
}

/// Weighted PageRank over the sentence similarity graph.
pub(crate) fn rank(tokens: &[BTreeSet<String>]) -> Vec<f64> {
    let n = tokens.len();
    let mut weights = vec![vec![0.0; n]; n];
    for i in 0..n {
        for j in (i + 1)..n {
            let w = similarity(&tokens[i], &tokens[j]);
            weights[i][j] = w;
            weights[j][i] = w;
        }
    }
    let out: Vec<f64> = weights.iter().map(|row| row.iter().sum()).collect();
    let mut scores = vec![1.0; n];
    for _ in 0..MAX_ITERATIONS {
        let next: Vec<f64> = (0..n)
            .map(|i| {
                let incoming: f64 = (0..n)
                    .filter(|&j| out[j] > 0.0)
                    .map(|j| weights[j][i] / out[j] * scores[j])
                    .sum();
                (1.0 - DAMPING) + DAMPING * incoming
            })
            .collect();
        let delta = next
            .iter()
            .zip(&scores)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        scores = next;
        if delta < TOLERANCE {
            break;
        }
    }
    scores
}

/// |Si ∩ Sj| / (log |Si| + log |Sj|).
pub(crate) fn similarity(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let overlap = a.intersection(b).count() as f64;
    if overlap == 0.0 {
        return 0.0;
    }
    let norm = (a.len() as f64).ln() + (b.len() as f64).ln();
    if norm > f64::EPSILON {
        overlap / norm
    } else {
        overlap
    }
}

/// The tokens of one sentence.
pub(crate) fn tokenize(sentence: &str) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for word in sentence.split(|c: char| !(c.is_alphanumeric() || c == '\'' || c == '’')) {
        if word.chars().any(is_hangul) {
            let stem = korean_stem(&word.chars().filter(|c| is_hangul(*c)).collect::<String>());
            let syllables: Vec<char> = stem.chars().collect();
            if syllables.len() >= 2 {
                out.extend(syllables.windows(2).map(|w| w.iter().collect::<String>()));
            }
        } else {
            let lower = word.to_lowercase().replace('’', "'");
            let lower = lower.trim_matches('\'');
            if lower.chars().count() > 1 && !STOPWORDS.contains(&lower) {
                out.insert(stem(lower));
            }
        }
    }
    out
}

fn korean_stem(word: &str) -> String {
    let mut w = word.to_string();
    for _ in 0..2 {
        if let Some(s) = KO_SUFFIXES
            .iter()
            .find(|s| w.ends_with(**s) && w.chars().count() > s.chars().count() + 1)
        {
            w.truncate(w.len() - s.len());
        }
    }
    w
}

/// Light suffix stripping: plurals, -ing, -ed, -ly.
fn stem(word: &str) -> String {
    let w = word.trim_end_matches("'s");
    let n = w.len();
    if n > 4 && w.ends_with("ies") {
        return format!("{}y", &w[..n - 3]);
    }
    for (suffix, min) in [("ing", 6), ("ed", 5), ("ly", 5), ("es", 5), ("s", 4)] {
        if n >= min && w.ends_with(suffix) && !w.ends_with("ss") {
            return w[..n - suffix.len()].to_string();
        }
    }
    w.to_string()
}
