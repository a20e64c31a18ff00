//! The real `quorum` binary as a child process, for tests that send it signals.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use tokio::sync::mpsc::UnboundedReceiver;

pub(crate) struct Server {
    pub(crate) base: String,
    child: Reaped,
    pub(crate) logs: UnboundedReceiver<String>,
}

/// The child process, killed when dropped unless it was waited for, so a failing test
/// leaves no server running.
struct Reaped(Child);

impl Drop for Reaped {
    fn drop(&mut self) {
        if matches!(self.0.try_wait(), Ok(None)) {
            let _ = self.0.kill();
            let _ = self.0.wait();
        }
    }
}

/// Starts `quorum serve` on a free port with `data` as its data directory and `env` on top;
/// returns once it logs that it is listening.
pub(crate) async fn start(data: &Path, env: &[(&str, String)]) -> Server {
    start_args(data, &["serve"], env).await
}

/// [`start`] with other arguments (`["serve", "meeting", "--role", "read"]`).
pub(crate) async fn start_args(data: &Path, args: &[&str], env: &[(&str, String)]) -> Server {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_quorum"));
    cmd.args(args)
        .env("QUORUM_DATA__DIR", data)
        .env("QUORUM_SERVER__HOST", "127.0.0.1")
        .env("QUORUM_SERVER__PORT", "0")
        .env("QUORUM_LOG__JSON", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    for (k, v) in crate::helpers::backend_env(data) {
        cmd.env(k, v);
    }
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    let stdout = child.stdout.take().unwrap();
    let child = Reaped(child);
    let (tx, mut logs) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let port = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let line = logs.recv().await.expect("server exited before listening");
            let Ok(v) = serde_json::from_str::<serde_json::Value>(&line) else {
                continue;
            };
            if v["message"] == "quorum is listening" {
                return v["port"].as_u64().unwrap();
            }
        }
    })
    .await
    .expect("listening within 30 s");
    Server {
        base: format!("http://127.0.0.1:{port}"),
        child,
        logs,
    }
}

impl Server {
    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Sends `signal` (`TERM`, `KILL`) to the process.
    pub(crate) fn signal(&self, signal: &str) {
        let status = Command::new("kill")
            .args([&format!("-{signal}"), &self.child.0.id().to_string()])
            .status()
            .unwrap();
        assert!(status.success());
    }

    /// Waits for the process to exit.
    pub(crate) async fn wait(mut self) -> (std::process::ExitStatus, Vec<String>) {
        let status = tokio::task::spawn_blocking(move || {
            let s = self.child.0.wait();
            (s, self.logs)
        })
        .await
        .unwrap();
        let (exit, mut logs) = status;
        let mut lines = Vec::new();
        while let Ok(line) = logs.try_recv() {
            lines.push(line);
        }
        (exit.unwrap(), lines)
    }
}
