//! Turning generated Whisper tokens into text segments: GPT-2 byte-level BPE
//! decoding (so only the CTranslate2 vocabulary is needed, not `tokenizer.json`)
//! and `<|1.50|>` timestamp tokens into segment boundaries.

use std::sync::OnceLock;

use crate::Segment;

/// Inverse of GPT-2's `bytes_to_unicode`: char code point (< 324) to byte.
fn unicode_to_byte() -> &'static [Option<u8>; 324] {
    static TABLE: OnceLock<[Option<u8>; 324]> = OnceLock::new();
    TABLE.get_or_init(|| {
        let printable = |b: u8| matches!(b, b'!'..=b'~' | 0xA1..=0xAC | 0xAE..=0xFF);
        let mut table = [None; 324];
        let mut shifted = 256;
        for b in 0..=255u8 {
            if printable(b) {
                table[usize::from(b)] = Some(b);
            } else {
                table[shifted] = Some(b);
                shifted += 1;
            }
        }
        table
    })
}

fn push_token_bytes(token: &str, out: &mut Vec<u8>) {
    let table = unicode_to_byte();
    for c in token.chars() {
        match table.get(c as usize).copied().flatten() {
            Some(b) => out.push(b),
            // Not byte-level BPE (should not happen with Whisper): keep the char.
            None => out.extend_from_slice(c.encode_utf8(&mut [0; 4]).as_bytes()),
        }
    }
}

fn is_special(token: &str) -> bool {
    token.starts_with("<|") && token.ends_with("|>")
}

/// Seconds of a timestamp token such as `<|12.34|>`.
fn timestamp(token: &str) -> Option<f64> {
    let inner = token.strip_prefix("<|")?.strip_suffix("|>")?;
    if !inner.contains('.') {
        return None;
    }
    inner.parse::<f64>().ok()
}

/// The text of the non-special tokens, untrimmed.
pub(crate) fn text(tokens: &[String]) -> String {
    let mut bytes = Vec::new();
    for token in tokens.iter().filter(|t| !is_special(t)) {
        push_token_bytes(token, &mut bytes);
    }
    String::from_utf8_lossy(&bytes).into_owned()
}

struct Open {
    start_ms: u64,
    bytes: Vec<u8>,
}

fn close(open: Open, end_ms: u64, out: &mut Vec<Segment>) {
    let text = String::from_utf8_lossy(&open.bytes).trim().to_owned();
    if !text.is_empty() {
        out.push(Segment {
            start_ms: open.start_ms,
            end_ms: end_ms.max(open.start_ms),
            text,
        });
    }
}

/// Splits generated tokens into segments. Text outside any timestamp pair runs to
/// the chunk's end; times are clamped to the chunk; empty segments are dropped.
pub(crate) fn segments(tokens: &[String], chunk_ms: u64) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut open: Option<Open> = None;
    for token in tokens {
        if let Some(secs) = timestamp(token) {
            let ms = ((secs * 1000.0).round() as u64).min(chunk_ms);
            match open.take() {
                Some(o) if !o.bytes.is_empty() => close(o, ms, &mut out),
                _ => {
                    open = Some(Open {
                        start_ms: ms,
                        bytes: Vec::new(),
                    })
                }
            }
        } else if !is_special(token) {
            let o = open.get_or_insert(Open {
                start_ms: 0,
                bytes: Vec::new(),
            });
            push_token_bytes(token, &mut o.bytes);
        }
    }
    if let Some(o) = open {
        close(o, chunk_ms, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn toks(s: &[&str]) -> Vec<String> {
        s.iter().map(|t| t.to_string()).collect()
    }

    #[test]
    fn decodes_byte_level_tokens_including_multibyte_utf8() {
        // "Ġ" is a space; "ìķĪëħķ" is the byte-level form of "안녕".
        let s = segments(&toks(&["ĠHello", ",", "Ġworld", "ĠìķĪëħķ"]), 5_000);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].text, "Hello, world 안녕");
        assert_eq!((s[0].start_ms, s[0].end_ms), (0, 5_000));
    }

    #[test]
    fn timestamp_pairs_become_segments() {
        let s = segments(
            &toks(&[
                "<|0.00|>",
                "ĠGood",
                "Ġmorning",
                ".",
                "<|1.50|>",
                "<|1.50|>",
                "ĠLet",
                "'s",
                "Ġstart",
                ".",
                "<|3.20|>",
                "<|endoftext|>",
            ]),
            4_000,
        );
        let got: Vec<_> = s
            .iter()
            .map(|s| (s.start_ms, s.end_ms, s.text.as_str()))
            .collect();
        assert_eq!(
            got,
            vec![(0, 1_500, "Good morning."), (1_500, 3_200, "Let's start.")]
        );
    }

    #[test]
    fn unterminated_segment_runs_to_chunk_end_and_times_are_clamped() {
        let s = segments(
            &toks(&["<|2.00|>", "ĠAnd", "Ġthen", "<|9.00|>", "<|9.00|>", "Ġso"]),
            6_000,
        );
        let got: Vec<_> = s
            .iter()
            .map(|s| (s.start_ms, s.end_ms, s.text.as_str()))
            .collect();
        assert_eq!(got, vec![(2_000, 6_000, "And then"), (6_000, 6_000, "so")]);
    }

    #[test]
    fn specials_and_blank_text_give_no_segments() {
        assert!(segments(
            &toks(&["<|0.00|>", "Ġ", "<|1.00|>", "<|endoftext|>"]),
            1_000
        )
        .is_empty());
        assert!(segments(&[], 1_000).is_empty());
    }
}
