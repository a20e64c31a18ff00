//! Security review #13: the operations endpoints give probes their status and keep the rest
//! (metrics, build information, health details) for the operator; the environment is read
//! as documented.

use std::process::Command;

use serde_json::Value;

use crate::helpers::{spawn_with, test_settings};

const TOKEN: &str = "management-test-token";

async fn get(client: &reqwest::Client, url: &str, token: Option<&str>) -> (u16, Value) {
    let mut req = client.get(url);
    if let Some(token) = token {
        req = req.bearer_auth(token);
    }
    let res = req.send().await.unwrap();
    let status = res.status().as_u16();
    let text = res.text().await.unwrap();
    (
        status,
        serde_json::from_str(&text).unwrap_or(Value::String(text)),
    )
}

#[tokio::test]
async fn metrics_and_health_details_need_the_management_token() {
    let data = tempfile::tempdir().unwrap();
    let mut settings = test_settings(data.path());
    settings.management.token = TOKEN.into();
    let app = spawn_with(settings, data).await;
    let url = |path: &str| app.url(path);

    // Probes: the status, from anyone.
    for path in [
        "/actuator/health/liveness",
        "/actuator/health/readiness",
        "/actuator/health",
    ] {
        let (status, body) = get(&app.client, &url(path), None).await;
        assert_eq!(status, 200, "{path}: {body}");
        assert_eq!(body, serde_json::json!({"status": "UP"}), "{path}");
    }
    // The rest: not even from this machine without the token.
    for path in ["/actuator/prometheus", "/actuator/info"] {
        let (status, body) = get(&app.client, &url(path), None).await;
        assert_eq!(status, 401, "{path}");
        assert_eq!(body["code"], "management_token_required", "{body}");
        let (status, _) = get(&app.client, &url(path), Some("a-guess")).await;
        assert_eq!(status, 401, "{path}");
        let (status, _) = get(&app.client, &url(path), Some(TOKEN)).await;
        assert_eq!(status, 200, "{path}");
    }
    let (_, health) = get(&app.client, &url("/actuator/health"), Some(TOKEN)).await;
    assert_eq!(
        health["components"]["identityDb"]["status"], "UP",
        "{health}"
    );
    let (_, metrics) = get(&app.client, &url("/actuator/prometheus"), Some(TOKEN)).await;
    assert!(metrics.as_str().unwrap().contains("gateway_requests_total"));
    app.stop().await;
}

#[tokio::test]
async fn a_management_port_serves_the_details_and_the_main_port_the_status() {
    let data = tempfile::tempdir().unwrap();
    let mut settings = test_settings(data.path());
    settings.management.port = Some(0);
    let app = quorum::Application::build(settings).await.unwrap();
    let port = app.port();
    let main = move |path: &str| format!("http://127.0.0.1:{port}{path}");
    let ops = app.management_port().expect("a management port");
    let ops = move |path: &str| format!("http://127.0.0.1:{ops}{path}");
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let running = tokio::spawn(app.run_until_stopped(async move {
        let _ = stopped.await;
    }));
    let client = reqwest::Client::new();

    let (status, body) = get(&client, &main("/actuator/health"), None).await;
    assert_eq!((status, body), (200, serde_json::json!({"status": "UP"})));
    let (status, body) = get(&client, &main("/actuator/prometheus"), None).await;
    assert_eq!(status, 401);
    assert!(
        body["detail"].as_str().unwrap().contains("management port"),
        "{body}"
    );

    let (status, health) = get(&client, &ops("/actuator/health"), None).await;
    assert_eq!(status, 200);
    assert_eq!(
        health["components"]["identityDb"]["status"], "UP",
        "{health}"
    );
    let (status, _) = get(&client, &ops("/actuator/prometheus"), None).await;
    assert_eq!(status, 200);
    let (status, body) = get(&client, &ops("/api/users/me"), None).await;
    assert_eq!((status, &body["code"]), (404, &"route_not_found".into()));

    stop.send(()).unwrap();
    running.await.unwrap().unwrap();
    drop(data);
}

fn check_config(env: &[(&str, &str)]) -> (bool, String) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_quorum"));
    cmd.arg("check-config");
    for (key, value) in env {
        cmd.env(key, value);
    }
    let out = cmd.output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn the_documented_variables_work_and_a_misspelt_one_names_the_nearest_setting() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("quorum.toml");
    std::fs::write(&file, "[server]\nport = \"eighty\"\n").unwrap();
    let file = file.to_str().unwrap();

    // QUORUM_CONFIG names the file (its bad value proves it was read), and is no setting.
    let (ok, out) = check_config(&[("QUORUM_CONFIG", file)]);
    assert!(!ok && out.contains("eighty"), "{out}");
    assert!(!out.contains("unknown field"), "{out}");
    std::fs::write(dir.path().join("quorum.toml"), "[server]\nport = 9090\n").unwrap();
    let (ok, out) = check_config(&[("QUORUM_CONFIG", file)]);
    assert!(ok, "{out}");

    // Not settings: the test suites' variables silently, anything else with a warning.
    let (ok, out) = check_config(&[("QUORUM_TEST_ANYTHING", "1"), ("QUORUM_URL", "https://x")]);
    assert!(ok, "{out}");
    assert!(out.contains("QUORUM_URL is not a setting"), "{out}");
    assert!(!out.contains("QUORUM_TEST_ANYTHING"), "{out}");

    // A misspelt setting stops it, naming the variable and the nearest key.
    let (ok, out) = check_config(&[("QUORUM_GATEWAY__BODY_LIMIT_BYTE", "5")]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("QUORUM_GATEWAY__BODY_LIMIT_BYTE is not a setting"),
        "{out}"
    );
    assert!(
        out.contains("did you mean `gateway.body_limit_bytes` (QUORUM_GATEWAY__BODY_LIMIT_BYTES)"),
        "{out}"
    );
    let (ok, out) = check_config(&[("QUORUM_MANAGMENT__TOKEN", "x")]);
    assert!(!ok, "{out}");
    assert!(
        out.contains("did you mean `management` (QUORUM_MANAGEMENT__TOKEN)"),
        "{out}"
    );
}
