//! Real speech for tests: espeak-ng speaks known text, sox converts and joins. Both are
//! installed by `scripts/test.sh` (Debian packages `espeak-ng`, `sox`, `libsox-fmt-all`).

use std::path::{Path, PathBuf};
use std::process::Command;

fn run(cmd: &mut Command) {
    let out = cmd.output().unwrap_or_else(|e| {
        panic!("running {cmd:?} (is it installed? scripts/test.sh installs it): {e}")
    });
    assert!(
        out.status.success(),
        "{cmd:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// `text` spoken by espeak-ng `voice` (`en-us`, `en-gb`, `en-us+f3`, `ko`, …) as a WAV
/// file `dir/name.wav` (22.05 kHz mono).
pub fn speak(dir: &Path, name: &str, text: &str, voice: &str) -> PathBuf {
    let path = dir.join(format!("{name}.wav"));
    run(Command::new("espeak-ng")
        .args(["-v", voice, "-s", "150", "-w"])
        .arg(&path)
        .arg(text));
    path
}

/// `ms` of digital silence at 22.05 kHz mono, as `dir/name.wav`.
pub fn silence(dir: &Path, name: &str, ms: u32) -> PathBuf {
    let path = dir.join(format!("{name}.wav"));
    let secs = format!("{:.3}", f64::from(ms) / 1000.0);
    run(Command::new("sox")
        .args(["-n", "-r", "22050", "-c", "1", "-b", "16"])
        .arg(&path)
        .args(["trim", "0", &secs]));
    path
}

/// The files played one after another, as `dir/name.wav`.
pub fn join(dir: &Path, name: &str, parts: &[PathBuf]) -> PathBuf {
    let path = dir.join(format!("{name}.wav"));
    run(Command::new("sox").args(parts).arg(&path));
    path
}

/// `input` converted by sox to the format of `output`'s extension (`.flac`, `.mp3`, `.ogg`,
/// or `.wav` with `args` such as `-r 44100 -c 2`).
pub fn convert(input: &Path, output: &Path, args: &[&str]) -> PathBuf {
    run(Command::new("sox").arg(input).args(args).arg(output));
    output.to_path_buf()
}

/// Word error rate of `heard` against `reference`: (substitutions + deletions + insertions)
/// / reference words, after lower-casing and dropping punctuation.
pub fn word_error_rate(reference: &str, heard: &str) -> f64 {
    let words = |s: &str| -> Vec<String> {
        s.to_lowercase()
            .split(|c: char| c.is_whitespace())
            .map(|w| {
                w.chars()
                    .filter(|c| c.is_alphanumeric() || *c == '\'')
                    .collect::<String>()
            })
            .filter(|w| !w.is_empty())
            .collect()
    };
    let (r, h) = (words(reference), words(heard));
    if r.is_empty() {
        return if h.is_empty() { 0.0 } else { 1.0 };
    }
    let mut prev: Vec<usize> = (0..=h.len()).collect();
    for (i, rw) in r.iter().enumerate() {
        let mut cur = vec![i + 1; h.len() + 1];
        for (j, hw) in h.iter().enumerate() {
            let sub = prev[j] + usize::from(rw != hw);
            cur[j + 1] = sub.min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    #[allow(clippy::cast_precision_loss)]
    let wer = prev[h.len()] as f64 / r.len() as f64;
    wer
}

#[cfg(test)]
mod tests {
    use super::word_error_rate;

    #[test]
    fn wer_counts_edits_per_reference_word() {
        assert!(word_error_rate("Hello, world!", "hello world").abs() < 1e-9);
        assert!((word_error_rate("a b c d", "a x c") - 0.5).abs() < 1e-9);
        assert!((word_error_rate("a b", "a b c d") - 1.0).abs() < 1e-9);
        assert!((word_error_rate("", "x") - 1.0).abs() < 1e-9);
    }
}
