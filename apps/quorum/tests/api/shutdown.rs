//! The real binary: starts with embedded defaults, and on SIGTERM stops accepting, finishes
//! the requests in flight, and exits cleanly.

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::Duration;

use serde_json::json;

#[tokio::test]
async fn sigterm_drains_in_flight_requests_and_exits_cleanly() {
    let data = tempfile::tempdir().unwrap();
    let mut child = Command::new(env!("CARGO_BIN_EXE_quorum"))
        .arg("serve")
        .env("QUORUM_DATA__DIR", data.path())
        .env("QUORUM_SERVER__HOST", "127.0.0.1")
        .env("QUORUM_SERVER__PORT", "0")
        .env("QUORUM_LOG__JSON", "true")
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<String>();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    let port = tokio::time::timeout(Duration::from_secs(30), async {
        loop {
            let line = rx.recv().await.expect("server exited before listening");
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
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    let res = client
        .get(format!("{base}/actuator/health/liveness"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // Registrations hash passwords with the production Argon2 cost: each takes a while.
    let requests: Vec<_> = (0..4)
        .map(|i| {
            let client = client.clone();
            let url = format!("{base}/api/users/register");
            tokio::spawn(async move {
                client
                    .post(url)
                    .json(&json!({"email": format!("u{i}@example.com"),
                                  "password": "correct horse battery", "name": "U"}))
                    .send()
                    .await
            })
        })
        .collect();
    tokio::time::sleep(Duration::from_millis(30)).await;
    let status = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());

    let mut completed = 0;
    for r in requests {
        match r.await.unwrap() {
            Ok(res) => {
                assert_eq!(res.status(), 201, "a request in flight was cut short");
                completed += 1;
            }
            // Sent after the listener closed: refused, never half-answered.
            Err(e) => assert!(e.is_connect(), "request broken mid-flight: {e}"),
        }
    }
    assert!(
        completed > 0,
        "no request was in flight when SIGTERM arrived"
    );

    let exit = tokio::task::spawn_blocking(move || child.wait())
        .await
        .unwrap()
        .unwrap();
    assert!(exit.success(), "exit status {exit}");
    let mut stopped = false;
    while let Ok(line) = rx.try_recv() {
        stopped |= line.contains("\"stopped\"");
    }
    assert!(stopped, "no 'stopped' log line after draining");
}
