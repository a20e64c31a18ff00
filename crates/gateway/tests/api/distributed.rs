//! The distributed mode: HTTP upstreams from `gateway.upstreams`, balanced over instances,
//! with retries, per-try timeouts and outlier ejection.

use std::time::{Duration, Instant};

use futures::SinkExt;
use quorum_gateway::{GatewaySettings, UpstreamUrls};
use serde_json::Value;

use crate::assert_problem;
use crate::instances::{
    dead_url, distributed_settings, serve_instance, spawn_distributed, spawn_instance, Behaviour,
};

async fn echo(res: reqwest::Response) -> Value {
    assert_eq!(res.status(), 200);
    res.json().await.unwrap()
}

#[tokio::test]
async fn requests_spread_over_the_instances_keeping_path_query_and_host() {
    let a = spawn_instance("a", Behaviour::Echo).await;
    let b = spawn_instance("b", Behaviour::Echo).await;
    let app = spawn_distributed(distributed_settings(&[&a.url, &b.url]))
        .await
        .unwrap();
    for _ in 0..20 {
        let echo = echo(app.send("GET", "/api/meetings/42/notes?x=1", b"").await).await;
        assert_eq!(echo["path"], "/api/meetings/42/notes");
        assert_eq!(echo["query"], "x=1");
        let url = if echo["instance"] == "a" {
            &a.url
        } else {
            &b.url
        };
        assert_eq!(format!("http://{}", echo["host"].as_str().unwrap()), *url);
    }
    assert_eq!(a.hits() + b.hits(), 20);
    assert!(a.hits() > 0 && b.hits() > 0, "{} / {}", a.hits(), b.hits());
}

#[tokio::test]
async fn a_dead_instance_is_skipped_and_ejected() {
    let (dead, _) = dead_url().await;
    let live = spawn_instance("live", Behaviour::Echo).await;
    let app = spawn_distributed(distributed_settings(&[&dead, &live.url]))
        .await
        .unwrap();
    for _ in 0..20 {
        let echo = echo(app.send("GET", "/api/meetings", b"").await).await;
        assert_eq!(echo["instance"], "live");
    }
    let health = app.health().await;
    let meeting = &health["components"]["meeting"];
    assert_eq!(meeting["status"], "UP", "{health}");
    let instances = &meeting["details"]["instances"];
    assert_eq!(instances[&live.url], "UP", "{health}");
    let state = instances[&dead].as_str().unwrap();
    assert!(state.starts_with("EJECTED (DOWN"), "{health}");
}

#[tokio::test]
async fn a_get_answered_503_is_retried_elsewhere_and_the_instance_ejected() {
    let failing = spawn_instance("failing", Behaviour::Status(503)).await;
    let live = spawn_instance("live", Behaviour::Echo).await;
    let app = spawn_distributed(distributed_settings(&[&failing.url, &live.url]))
        .await
        .unwrap();
    for _ in 0..20 {
        let echo = echo(app.send("GET", "/api/meetings", b"").await).await;
        assert_eq!(echo["instance"], "live");
    }
    // Three gateway errors in a row eject it; after that no request tries it.
    assert_eq!(failing.hits(), 3);
}

#[tokio::test]
async fn a_post_is_retried_when_the_connection_failed_but_not_after_a_503() {
    // Ejection off, so the failing instances keep being picked.
    let no_ejection = |urls: &[&str]| {
        let mut settings = distributed_settings(urls);
        settings.outlier.consecutive_gateway_errors = 1_000;
        settings.outlier.consecutive_5xx = 1_000;
        settings
    };
    let (dead, _) = dead_url().await;
    let live = spawn_instance("live", Behaviour::Echo).await;
    let app = spawn_distributed(no_ejection(&[&dead, &live.url]))
        .await
        .unwrap();
    for _ in 0..20 {
        let echo = echo(
            app.send("POST", "/api/meetings", b"{\"title\":\"x\"}")
                .await,
        )
        .await;
        assert_eq!(echo["bodyLength"], 13);
    }
    assert_eq!(live.hits(), 20);

    let failing = spawn_instance("failing", Behaviour::Status(503)).await;
    let live = spawn_instance("live", Behaviour::Echo).await;
    let app = spawn_distributed(no_ejection(&[&failing.url, &live.url]))
        .await
        .unwrap();
    let mut passed_through = 0;
    for _ in 0..20 {
        let res = app.send("POST", "/api/meetings", b"{}").await;
        if res.status() == 503 {
            let body: Value = res.json().await.unwrap();
            assert_eq!(body["instance"], "failing", "the service's own answer");
            passed_through += 1;
        } else {
            assert_eq!(res.status(), 200);
        }
    }
    assert_eq!(
        failing.hits() + live.hits(),
        20,
        "each POST reached one instance"
    );
    assert_eq!(failing.hits(), passed_through);
    assert!(passed_through > 0);
}

#[tokio::test]
async fn a_slow_instance_is_cut_off_by_the_per_try_timeout() {
    let slow = spawn_instance("slow", Behaviour::Slow(Duration::from_secs(5))).await;
    let fast = spawn_instance("fast", Behaviour::Echo).await;
    let mut settings = distributed_settings(&[&slow.url, &fast.url]);
    settings.retry.per_try_timeout_ms = 300;
    let app = spawn_distributed(settings).await.unwrap();
    for _ in 0..20 {
        let started = Instant::now();
        let echo = echo(app.send("GET", "/api/meetings", b"").await).await;
        assert_eq!(echo["instance"], "fast");
        assert!(started.elapsed() < Duration::from_secs(2));
    }
    assert!((1..=3).contains(&slow.hits()), "{}", slow.hits());
}

#[tokio::test]
async fn a_slow_post_gets_the_whole_budget_not_the_per_try_timeout() {
    let slow = spawn_instance("slow", Behaviour::Slow(Duration::from_millis(800))).await;
    let mut settings = distributed_settings(&[&slow.url]);
    settings.retry.per_try_timeout_ms = 200;
    let app = spawn_distributed(settings).await.unwrap();
    // Not retried once sent, so cutting it would only turn a slow success into a 504.
    let echo = echo(app.send("POST", "/api/meetings", b"{}").await).await;
    assert_eq!(echo["instance"], "slow");
    assert_eq!(slow.hits(), 1);
}

#[tokio::test]
async fn a_services_own_503_is_passed_on_without_retry_or_ejection() {
    let a = spawn_instance("a", Behaviour::Problem(503)).await;
    let b = spawn_instance("b", Behaviour::Problem(503)).await;
    let app = spawn_distributed(distributed_settings(&[&a.url, &b.url]))
        .await
        .unwrap();
    for _ in 0..12 {
        let res = app.send("GET", "/api/meetings", b"").await;
        assert_eq!(res.status(), 503);
        let body: serde_json::Value = res.json().await.unwrap();
        assert_eq!(body["code"], "busy", "the service's answer, as it gave it");
    }
    // One try each (every instance would answer the same), and both still in rotation.
    assert_eq!(a.hits() + b.hits(), 12);
    let health = app.health().await;
    assert!(!health.to_string().contains("EJECTED"), "{health}");
}

#[tokio::test]
async fn a_lone_dead_instance_is_still_tried_and_serves_as_soon_as_it_is_back() {
    let (dead, addr) = dead_url().await;
    let mut settings = distributed_settings(&[&dead]);
    settings.outlier.base_ejection_secs = 60;
    let app = spawn_distributed(settings).await.unwrap();

    // The first request's tries eject the instance; refused connections fail fast.
    let started = Instant::now();
    let res = app.send("GET", "/api/meetings", b"").await;
    assert_problem(res, 502, "bad_gateway").await;
    assert!(started.elapsed() < Duration::from_secs(2));
    let health = app.health().await;
    assert_eq!(
        health["components"]["meeting"]["status"], "DOWN",
        "{health}"
    );
    assert!(health.to_string().contains("EJECTED"), "{health}");

    // Back long before its ejection ends: with no other instance it is tried anyway (panic
    // routing), so the next request is served.
    let listener = tokio::net::TcpListener::bind(addr).await.unwrap();
    let back = serve_instance(listener, "back", Behaviour::Echo);
    let echo = echo(app.send("GET", "/api/meetings", b"").await).await;
    assert_eq!(echo["instance"], "back");
    assert_eq!(back.hits(), 1);
}

#[tokio::test]
async fn reads_and_writes_go_to_their_groups() {
    let writer = spawn_instance("writer", Behaviour::Echo).await;
    let reader = spawn_instance("reader", Behaviour::Echo).await;
    let mut settings = distributed_settings(&[&writer.url]);
    settings
        .upstreams
        .insert("meeting_read".into(), UpstreamUrls::new([&reader.url]));
    let app = spawn_distributed(settings).await.unwrap();
    for (method, instance) in [
        ("GET", "reader"),
        ("POST", "writer"),
        ("PATCH", "writer"),
        ("DELETE", "writer"),
    ] {
        let echo = echo(app.send(method, "/api/meetings/1", b"").await).await;
        assert_eq!(echo["instance"], instance, "{method}");
    }
    // Live events come from the write group's consumers.
    let res = app
        .client
        .get(app.url("/api/meetings/1"))
        .bearer_auth(&app.token)
        .header("accept", "text/event-stream")
        .send()
        .await
        .unwrap();
    assert_eq!(echo(res).await["instance"], "writer");
    let health = app.health().await;
    assert_eq!(health["components"]["meeting"]["status"], "UP", "{health}");
    assert_eq!(
        health["components"]["meetingRead"]["status"], "UP",
        "{health}"
    );
    assert_eq!(
        health["components"]["identity"]["status"], "DOWN",
        "no readiness route"
    );
}

#[tokio::test]
async fn a_streamed_upload_reaches_the_instance() {
    let instance = spawn_instance("meeting", Behaviour::Echo).await;
    let app = spawn_distributed(distributed_settings(&[&instance.url]))
        .await
        .unwrap();
    let path = "/api/meetings/0195f0c4-7b1e-7000-8000-000000000001/recording";

    // Chunked (no Content-Length), 2 MiB.
    let (mut tx, rx) = futures::channel::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(4);
    tokio::spawn(async move {
        for _ in 0..32 {
            tx.send(Ok(vec![7; 64 * 1024])).await.unwrap();
        }
    });
    let res = app
        .client
        .post(app.url(path))
        .bearer_auth(&app.token)
        .body(reqwest::Body::wrap_stream(rx))
        .send()
        .await
        .unwrap();
    assert_eq!(echo(res).await["bodyLength"], 2 * 1024 * 1024);

    // With a length over the replay buffer.
    let echo = echo(app.send("POST", path, &vec![7; 300 * 1024]).await).await;
    assert_eq!(echo["bodyLength"], 300 * 1024);
}

#[tokio::test]
async fn upstream_urls_parse_from_a_separated_string_or_a_list() {
    let settings: GatewaySettings = serde_json::from_value(serde_json::json!({
        "upstreams": {
            "meeting": "http://meeting-1:8080,http://meeting-2:8080 http://meeting-3:8080",
            "meeting_read": ["http://replica:8080"],
        },
        "outlier": {"base_ejection_secs": 5},
        "upload_retry": {"attempts": 2},
    }))
    .unwrap();
    assert_eq!(
        settings.upstreams["meeting"].as_slice(),
        [
            "http://meeting-1:8080",
            "http://meeting-2:8080",
            "http://meeting-3:8080"
        ]
    );
    assert_eq!(
        settings.upstreams["meeting_read"].as_slice(),
        ["http://replica:8080"]
    );
    assert_eq!(settings.outlier.base_ejection_secs, 5);
    assert_eq!(settings.outlier.consecutive_gateway_errors, 3);
    assert_eq!(settings.retry.attempts, 5);
    assert_eq!(settings.retry.per_try_timeout_ms, 3_000);
    assert_eq!(settings.upload_retry.attempts, 2);
    assert_eq!(settings.upload_retry.per_try_timeout_ms, 10_000);

    let unknown = serde_json::json!({"outlier": {"base_ejection": 5}});
    assert!(serde_json::from_value::<GatewaySettings>(unknown).is_err());
}

#[tokio::test]
async fn bad_upstream_settings_name_the_key() {
    let cases: [(&str, &[&str], &str); 5] = [
        (
            "meeting",
            &["https://m:8080"],
            "gateway.upstreams.meeting: ",
        ),
        (
            "meeting",
            &["http://m:8080/api"],
            "gateway.upstreams.meeting: ",
        ),
        ("meeting", &[], "gateway.upstreams.meeting: "),
        (
            "meetings",
            &["http://m:8080"],
            "gateway.upstreams.meetings: ",
        ),
        (
            "todo_read",
            &["http://m:8080"],
            "gateway.upstreams.todo_read: ",
        ),
    ];
    for (key, urls, message) in cases {
        let mut settings = distributed_settings(&["http://127.0.0.1:1"]);
        settings
            .upstreams
            .insert(key.into(), UpstreamUrls::new(urls.iter().copied()));
        let err = spawn_distributed(settings).await.err().expect(key);
        assert!(err.to_string().starts_with(message), "{key}: {err}");
    }
}
