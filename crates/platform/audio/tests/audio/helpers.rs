//! Generating audio with espeak-ng and sox into a temporary directory.

use std::path::{Path, PathBuf};
use std::process::Command;

/// A temporary directory of generated recordings.
pub(crate) struct Studio {
    dir: tempfile::TempDir,
}

impl Studio {
    pub(crate) fn new() -> Self {
        Self {
            dir: tempfile::tempdir().unwrap(),
        }
    }

    pub(crate) fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// `text` spoken by espeak-ng (22 050 Hz mono WAV).
    pub(crate) fn speak(&self, name: &str, text: &str) -> PathBuf {
        let out = self.path(name);
        run(Command::new("espeak-ng").arg("-w").arg(&out).arg(text));
        out
    }

    /// `sox <inputs…> <extra…> name`: conversion by extension, concatenation of inputs.
    pub(crate) fn sox(&self, inputs: &[&Path], options: &[&str], name: &str) -> PathBuf {
        let out = self.path(name);
        run(Command::new("sox").args(inputs).args(options).arg(&out));
        out
    }

    /// `sox input name effects…`.
    pub(crate) fn sox_effects(&self, input: &Path, name: &str, effects: &[&str]) -> PathBuf {
        let out = self.path(name);
        run(Command::new("sox").arg(input).arg(&out).args(effects));
        out
    }

    /// `seconds` of digital silence at 22 050 Hz mono.
    pub(crate) fn silence(&self, name: &str, seconds: f32) -> PathBuf {
        let out = self.path(name);
        let seconds = seconds.to_string();
        run(Command::new("sox")
            .args(["-n", "-r", "22050", "-c", "1", "-b", "16"])
            .arg(&out)
            .args(["trim", "0", &seconds]));
        out
    }

    /// A copy of `path` cut to its first `len` bytes.
    pub(crate) fn truncated(&self, path: &Path, len: usize, name: &str) -> PathBuf {
        let bytes = std::fs::read(path).unwrap();
        let out = self.path(name);
        std::fs::write(&out, &bytes[..len.min(bytes.len())]).unwrap();
        out
    }

    pub(crate) fn write(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let out = self.path(name);
        std::fs::write(&out, bytes).unwrap();
        out
    }
}

/// The duration sox reports, in milliseconds.
pub(crate) fn sox_duration_ms(path: &Path) -> u64 {
    let out = Command::new("soxi").arg("-D").arg(path).output().unwrap();
    let seconds: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    (seconds * 1000.0).round() as u64
}

pub(crate) fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name)
}

fn run(command: &mut Command) {
    let status = command
        .status()
        .unwrap_or_else(|err| panic!("{command:?}: {err}"));
    assert!(status.success(), "{command:?} failed: {status}");
}

/// A phrase long enough to chunk and measure.
pub(crate) const PHRASE: &str = "The quarterly budget review is scheduled for Thursday afternoon.";
