//! A real SMTP server per test: `scripts/mail_sink.py` (aiosmtpd), installed on first use.

use std::path::PathBuf;
use std::process::Stdio;
use std::sync::OnceLock;
use std::time::Duration;

use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};

/// One received message, as the sink decoded it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Mail {
    pub rcpt_tos: Vec<String>,
    pub subject: Option<String>,
    pub text: Option<String>,
    pub html: Option<String>,
    /// The `Message-ID` header: stable per delivery, so a re-sent message is recognisable.
    #[serde(default)]
    pub message_id: Option<String>,
}

pub struct MailSink {
    pub port: u16,
    dir: tempfile::TempDir,
    _child: Child,
}

/// Installs `aiosmtpd` unless Python can already import it (once per test binary).
fn ensure_aiosmtpd() {
    static READY: OnceLock<()> = OnceLock::new();
    READY.get_or_init(|| {
        let has = || {
            std::process::Command::new("python3")
                .args(["-c", "import aiosmtpd"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        };
        if has() {
            return;
        }
        let status = std::process::Command::new("python3")
            .args(["-m", "pip", "install", "--quiet", "aiosmtpd"])
            .status()
            .expect("run pip");
        assert!(status.success() && has(), "could not install aiosmtpd");
    });
}

fn script() -> PathBuf {
    crate::workspace_path("scripts/mail_sink.py")
}

impl MailSink {
    /// Starts a sink; `args` adds failure modes (`--fail-first 1`, `--reject a@b`).
    pub async fn start(args: &[&str]) -> Self {
        ensure_aiosmtpd();
        let dir = tempfile::tempdir().unwrap();
        let mut child = Command::new("python3")
            .arg(script())
            .args(["--port", "0", "--dir"])
            .arg(dir.path())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("start the mail sink");
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let line = tokio::time::timeout(Duration::from_secs(20), lines.next_line())
            .await
            .expect("the mail sink to start within 20 s")
            .unwrap()
            .expect("a LISTENING line");
        let port = line
            .strip_prefix("LISTENING ")
            .and_then(|p| p.trim().parse().ok())
            .unwrap_or_else(|| panic!("unexpected sink output: {line}"));
        Self {
            port,
            dir,
            _child: child,
        }
    }

    /// Every message received so far, in arrival order.
    pub fn mails(&self) -> Vec<Mail> {
        let mut names: Vec<PathBuf> = std::fs::read_dir(self.dir.path())
            .unwrap()
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "eml"))
            .collect();
        names.sort();
        names
            .iter()
            .map(|eml| {
                let meta = std::fs::read(eml.with_extension("rcpt")).unwrap();
                serde_json::from_slice(&meta).unwrap()
            })
            .collect()
    }

    /// Messages received for `rcpt`.
    pub fn mails_to(&self, rcpt: &str) -> Vec<Mail> {
        self.mails()
            .into_iter()
            .filter(|m| m.rcpt_tos.iter().any(|r| r.eq_ignore_ascii_case(rcpt)))
            .collect()
    }

    /// Waits (≤ 15 s) until `rcpt` has received at least `n` messages; returns them all.
    pub async fn wait_for(&self, rcpt: &str, n: usize) -> Vec<Mail> {
        for _ in 0..300 {
            let got = self.mails_to(rcpt);
            if got.len() >= n {
                return got;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!(
            "timed out waiting for {n} messages to {rcpt}; have {:?}",
            self.mails()
        );
    }
}
