//! Benchmark fixture for `bench/gateway.sh`: runs the all-in-one application on one port and
//! the meeting service's router *without* the gateway on another, seeds a user and a meeting,
//! prints `{"gatewayPort", "directPort", "token", "userId", "meetingId"}` on one line, and
//! serves until killed. Rate limits are off so the load generator measures the request path.

#![allow(clippy::restriction)] // a measuring tool: prints its figures, stops on a failed step

use std::time::Duration;

use quorum::{Application, Settings};
use serde_json::{json, Value};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let data = tempfile::tempdir()?;
    let mut settings = Settings::default();
    settings.server.host = "127.0.0.1".into();
    settings.server.port = 0;
    settings.data.dir = data.path().to_path_buf();
    settings.gateway.rate_limit.enabled = false;
    settings.log.level = "warn".into();
    quorum_telemetry::init_tracing(&settings.log.level, false);

    let app = Application::build(settings).await?;
    let gateway_port = app.port();
    let meeting = app
        .service_router("meeting")
        .ok_or_else(|| anyhow::anyhow!("no meeting service"))?;
    let direct = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let direct_port = direct.local_addr()?.port();
    tokio::spawn(async move { axum::serve(direct, meeting).await });
    tokio::spawn(app.run_until_stopped(std::future::pending()));

    let base = format!("http://127.0.0.1:{gateway_port}");
    let http = reqwest::Client::new();
    let user: Value = http
        .post(format!("{base}/api/users/register"))
        .json(&json!({"email": "bench@example.com", "password": "correct horse battery", "name": "Bench"}))
        .send()
        .await?
        .json()
        .await?;
    let login: Value = http
        .post(format!("{base}/api/users/login"))
        .json(&json!({"email": "bench@example.com", "password": "correct horse battery"}))
        .send()
        .await?
        .json()
        .await?;
    let token = login["accessToken"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let mut meeting = Value::Null;
    for _ in 0..100 {
        let res = http
            .post(format!("{base}/api/meetings"))
            .bearer_auth(&token)
            .json(&json!({"title": "Benchmark", "scheduledAt": "2026-12-01T10:00:00Z", "participantIds": []}))
            .send()
            .await?;
        if res.status() == 201 {
            meeting = res.json().await?;
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    println!(
        "{}",
        json!({
            "gatewayPort": gateway_port,
            "directPort": direct_port,
            "token": token,
            "userId": user["id"],
            "meetingId": meeting["id"],
        })
    );
    std::future::pending::<()>().await;
    Ok(())
}
