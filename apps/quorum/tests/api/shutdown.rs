//! The real binary: starts with embedded defaults, and on SIGTERM stops accepting, finishes
//! the requests in flight, and exits cleanly.

use std::time::Duration;

use serde_json::json;

use crate::binary;

#[tokio::test]
async fn sigterm_drains_in_flight_requests_and_exits_cleanly() {
    let data = tempfile::tempdir().unwrap();
    let server = binary::start(data.path(), &[]).await;
    let client = reqwest::Client::new();
    let res = client
        .get(server.url("/actuator/health/liveness"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);

    // Registrations hash passwords with the production Argon2 cost: each takes a while.
    let requests: Vec<_> = (0..4)
        .map(|i| {
            let client = client.clone();
            let url = server.url("/api/users/register");
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
    server.signal("TERM");

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

    let (exit, logs) = server.wait().await;
    assert!(exit.success(), "exit status {exit}");
    assert!(
        logs.iter().any(|l| l.contains("\"stopped\"")),
        "no 'stopped' log line after draining"
    );
}
