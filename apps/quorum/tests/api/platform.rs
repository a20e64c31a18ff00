//! What the platform guarantees around every route: authentication, problem documents,
//! rate limits, documentation and health.

use serde_json::Value;

use crate::helpers::{spawn_app, spawn_with, test_settings};

#[tokio::test]
async fn protected_routes_need_a_valid_token() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/api/meetings"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        res.headers()["content-type"].to_str().unwrap(),
        "application/problem+json"
    );
    let res = app
        .client
        .get(app.url("/api/meetings"))
        .bearer_auth("not.a.token")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    // A forged identity header is ignored.
    let res = app
        .client
        .get(app.url("/api/users/me"))
        .header("x-quorum-user-id", uuid::Uuid::now_v7().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    app.stop().await;
}

#[tokio::test]
async fn bad_input_is_a_4xx_problem_that_says_what_is_wrong() {
    let app = spawn_app().await;
    let res = app
        .client
        .post(app.url("/api/users/register"))
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 400);
    let res = app
        .client
        .post(app.url("/api/users/register"))
        .json(&serde_json::json!({"email": "nope", "password": "correct horse", "name": "X"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 422);
    let problem: Value = res.json().await.unwrap();
    assert!(
        problem["detail"].as_str().unwrap().contains("mail"),
        "{problem}"
    );
    assert!(problem["code"].is_string());
    app.stop().await;
}

#[tokio::test]
async fn per_user_rate_limit_answers_429_with_retry_after() {
    let data = tempfile::tempdir().unwrap();
    let mut settings = test_settings(data.path());
    let limits = settings
        .gateway
        .rate_limit
        .groups
        .get_mut("meetings")
        .unwrap();
    limits.per_minute = 5;
    let app = spawn_with(settings, data).await;
    let user = app.register("Kim Minji", "minji@example.com").await;
    let requests = (0..12).map(|_| app.get(&user, "/api/meetings"));
    let responses = futures::future::join_all(requests).await;
    let ok = responses.iter().filter(|r| r.status() == 200).count();
    let limited: Vec<_> = responses.iter().filter(|r| r.status() == 429).collect();
    assert_eq!(ok, 5);
    assert_eq!(limited.len(), 7);
    for r in limited {
        assert!(r.headers().contains_key("retry-after"));
        assert!(r.headers().contains_key("ratelimit-limit"));
    }
    app.stop().await;
}

#[tokio::test]
async fn openapi_lists_every_route_of_the_api_contract_and_docs_are_served_locally() {
    let app = spawn_app().await;
    let doc: Value = app
        .client
        .get(app.url("/api/openapi.json"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/api/users/register",
        "/api/users/login",
        "/api/users/refresh",
        "/api/users/logout",
        "/api/users/me",
        "/api/users/{id}",
        "/.well-known/jwks.json",
        "/api/meetings",
        "/api/meetings/{id}",
        "/api/meetings/{id}/start",
        "/api/meetings/{id}/notes",
        "/api/meetings/{id}/end",
        "/api/meetings/{id}/cancel",
        "/api/meetings/templates",
        "/api/transcripts",
        "/api/transcripts/{id}",
        "/api/transcripts/{id}/sections/{index}",
        "/api/transcripts/{id}/sections/{index}/verify",
        "/api/transcripts/{id}/share",
        "/api/transcripts/tasks/{taskId}",
        "/api/ai/schedules",
        "/api/ai/summaries",
        "/api/ai/tasks/{taskId}",
        "/api/ai/tasks/{taskId}/events",
        "/api/ai/meetings/{meetingId}/analysis",
        "/api/ai/schedules/{id}.ics",
        "/api/todos",
        "/api/todos/{id}",
        "/api/todos/stats",
        "/api/notifications",
        "/api/notifications/{id}/read",
        "/api/notifications/stream",
        "/api/notifications/preferences",
    ] {
        assert!(paths.contains_key(path), "openapi.json lacks {path}");
    }
    let res = app.client.get(app.url("/api/docs/")).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let html = res.text().await.unwrap();
    assert!(
        !html.contains("https://"),
        "docs page loads something remote"
    );
    app.stop().await;
}

#[tokio::test]
async fn health_endpoints_report_components() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/actuator/health"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let health: Value = res.json().await.unwrap();
    assert_eq!(health["status"], "UP", "{health}");
    for component in ["identityDb", "meetingDb", "broker", "cache"] {
        assert_eq!(health["components"][component]["status"], "UP", "{health}");
    }
    for path in [
        "/actuator/health/liveness",
        "/actuator/health/readiness",
        "/actuator/info",
    ] {
        let res = app.client.get(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
    }
    let text = app
        .client
        .get(app.url("/actuator/prometheus"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(text.contains("http_requests_total") || text.contains("gateway_requests_total"));
    app.stop().await;
}

#[tokio::test]
async fn a_bad_setting_exits_with_a_message_naming_the_key() {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_quorum"))
        .arg("check-config")
        .env("QUORUM_SERVER__PORT", "eighty")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.to_lowercase().contains("server.port"), "{stderr}");

    let out = std::process::Command::new(env!("CARGO_BIN_EXE_quorum"))
        .arg("check-config")
        .env("QUORUM_SERVER__PROT", "8080")
        .output()
        .unwrap();
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.to_lowercase().contains("server.prot"), "{stderr}");

    for (key, value, says) in [
        (
            "QUORUM_BACKENDS__DATABASE_URL",
            "postgres://db/quorum",
            "{service}",
        ),
        (
            "QUORUM_BACKENDS__DATABASE_URL",
            "mysql://db/q_{service}",
            "postgres://",
        ),
        ("QUORUM_BACKENDS__AMQP_URL", "http://rabbit:5672", "amqp://"),
        (
            "QUORUM_BACKENDS__REDIS_URL",
            "http://redis:6379",
            "redis://",
        ),
    ] {
        let out = std::process::Command::new(env!("CARGO_BIN_EXE_quorum"))
            .arg("check-config")
            .env(key, value)
            .output()
            .unwrap();
        assert!(!out.status.success(), "{key}={value}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(
            stderr.contains("backends.") && stderr.contains(says),
            "{stderr}"
        );
    }
}

#[tokio::test]
async fn a_part_of_quorum_names_the_settings_it_lacks() {
    let check = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_quorum"));
        cmd.arg("check-config").args(args);
        for (k, v) in env {
            cmd.env(k, v);
        }
        let out = cmd.output().unwrap();
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stderr).to_string(),
        )
    };
    let (ok, stderr) = check(&["meeting"], &[]);
    assert!(!ok && stderr.contains("backends.amqp_url"), "{stderr}");
    let (ok, stderr) = check(&["meetings"], &[]);
    assert!(
        !ok && stderr.contains("unknown service `meetings`"),
        "{stderr}"
    );
    let shared = [
        ("QUORUM_BACKENDS__AMQP_URL", "amqp://rabbit:5672/%2f"),
        ("QUORUM_BACKENDS__REDIS_URL", "redis://redis:6379"),
    ];
    let (ok, stderr) = check(&["gateway"], &shared);
    assert!(
        !ok && stderr.contains("gateway.upstreams.identity"),
        "{stderr}"
    );
    // A service verifies its callers with the identity service's keys: where are they?
    let (ok, stderr) = check(&["meeting", "--role", "read"], &shared);
    assert!(
        !ok && stderr.contains("gateway.upstreams.identity"),
        "{stderr}"
    );
    let (ok, stderr) = check(&["identity"], &shared);
    assert!(ok, "{stderr}");
    let keys = (
        "QUORUM_GATEWAY__UPSTREAMS__IDENTITY",
        "http://identity:8080",
    );
    let (ok, stderr) = check(
        &["meeting", "--role", "read"],
        &[shared[0], shared[1], keys],
    );
    assert!(ok, "{stderr}");
    let (ok, stderr) = check(&["meeting", "--role", "reader"], &shared);
    assert!(!ok && stderr.contains("reader"), "{stderr}");
}

#[tokio::test]
async fn migrate_prepares_the_named_services_databases_and_exits() {
    let migrate = |data: &std::path::Path, services: &[&str]| {
        std::process::Command::new(env!("CARGO_BIN_EXE_quorum"))
            .arg("migrate")
            .args(services)
            .env("QUORUM_DATA__DIR", data)
            .env_remove("QUORUM_BACKENDS__DATABASE_URL")
            .env_remove("QUORUM_BACKENDS__AMQP_URL")
            .env_remove("QUORUM_BACKENDS__REDIS_URL")
            .output()
            .unwrap()
    };
    let all = tempfile::tempdir().unwrap();
    let out = migrate(all.path(), &[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    for service in quorum::plan::SERVICES {
        assert!(
            all.path().join(format!("{service}.db")).exists(),
            "{service}.db"
        );
    }
    let one = tempfile::tempdir().unwrap();
    let out = migrate(one.path(), &["meeting"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(one.path().join("meeting.db").exists());
    assert!(!one.path().join("identity.db").exists());
}
