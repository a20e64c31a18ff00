use serde_json::Value;
use uuid::Uuid;

use crate::assert_problem;
use crate::helpers::{spawn_gateway, spawn_gateway_with};

#[tokio::test]
async fn routes_by_path_prefix_keeping_the_path_and_query() {
    let app = spawn_gateway().await;
    let token = app.token(Uuid::now_v7());
    for (path, service) in [
        ("/api/users/me", "identity"),
        ("/api/meetings", "meeting"),
        ("/api/meetings/42/notes?x=1", "meeting"),
        ("/api/transcripts/7", "transcript"),
        ("/api/ai/tasks/1", "ai"),
        ("/api/notifications", "notification"),
        ("/api/todos/stats", "todo"),
    ] {
        let res = app.get_as(path, &token).await;
        assert_eq!(res.status(), 200, "{path}");
        let echo: Value = res.json().await.unwrap();
        assert_eq!(echo["service"], service, "{path}");
        let (p, q) = path.split_once('?').unwrap_or((path, ""));
        assert_eq!(echo["path"], p);
        if !q.is_empty() {
            assert_eq!(echo["query"], q);
        }
    }
}

#[tokio::test]
async fn a_prefix_matches_whole_segments_only() {
    let app = spawn_gateway().await;
    let token = app.token(Uuid::now_v7());
    let res = app.get_as("/api/meetingsXYZ", &token).await;
    assert_problem(res, 404, "route_not_found").await;
}

#[tokio::test]
async fn unknown_paths_are_404_problems() {
    let app = spawn_gateway().await;
    for path in ["/nope", "/api/unknown/thing", "/api"] {
        let res = app.get(path).await;
        let body = assert_problem(res, 404, "route_not_found").await;
        assert!(body["detail"].as_str().unwrap().contains(path));
    }
}

#[tokio::test]
async fn request_id_is_generated_propagated_and_echoed() {
    let app = spawn_gateway().await;
    let res = app
        .client
        .post(app.url("/api/users/login"))
        .send()
        .await
        .unwrap();
    let id = res.headers()["x-request-id"].to_str().unwrap().to_string();
    let parsed = Uuid::parse_str(&id).expect("a generated request id is a UUID");
    assert_eq!(parsed.get_version_num(), 7);
    let echo: Value = res.json().await.unwrap();
    assert_eq!(echo["headers"]["x-request-id"], id.as_str());

    // A client-chosen id is kept.
    let res = app
        .client
        .post(app.url("/api/users/login"))
        .header("x-request-id", "trace-abc-123")
        .send()
        .await
        .unwrap();
    assert_eq!(res.headers()["x-request-id"], "trace-abc-123");
    let echo: Value = res.json().await.unwrap();
    assert_eq!(echo["headers"]["x-request-id"], "trace-abc-123");

    // Also on the gateway's own errors.
    let res = app.get("/nope").await;
    assert!(res.headers().contains_key("x-request-id"));
}

#[tokio::test]
async fn a_slow_upstream_is_a_504_problem() {
    let app = spawn_gateway_with(|s| {
        let meetings = s
            .routes
            .iter_mut()
            .find(|r| r.prefix == "/api/meetings")
            .unwrap();
        meetings.timeout_ms = Some(200);
    })
    .await;
    let token = app.token(Uuid::now_v7());
    let started = std::time::Instant::now();
    let res = app.get_as("/api/meetings/slow", &token).await;
    assert_problem(res, 504, "gateway_timeout").await;
    assert!(started.elapsed() < std::time::Duration::from_millis(1_500));
}

#[tokio::test]
async fn bodies_over_the_limit_are_413_problems() {
    let app = spawn_gateway_with(|s| s.body_limit_bytes = 1024).await;
    let token = app.token(Uuid::now_v7());
    let post = |body: Vec<u8>| {
        app.client
            .post(app.url("/api/meetings"))
            .bearer_auth(&token)
            .body(body)
            .send()
    };
    let res = post(vec![b'x'; 1024]).await.unwrap();
    assert_eq!(res.status(), 200);
    let echo: Value = res.json().await.unwrap();
    assert_eq!(echo["bodyLength"], 1024);

    let res = post(vec![b'x'; 4096]).await.unwrap();
    assert_problem(res, 413, "payload_too_large").await;

    // Without a Content-Length the body is cut off while streaming.
    let chunks = (0..4).map(|_| Ok::<_, std::io::Error>(vec![b'x'; 800]));
    let res = app
        .client
        .post(app.url("/api/meetings"))
        .bearer_auth(&token)
        .body(reqwest::Body::wrap_stream(futures::stream::iter(chunks)))
        .send()
        .await
        .unwrap();
    // Whatever the service made of the cut-off body, the client is told what happened.
    let body = assert_problem(res, 413, "payload_too_large").await;
    assert!(
        body["detail"].as_str().unwrap().contains("1024 bytes"),
        "{body}"
    );
}

#[tokio::test]
async fn cors_preflight_allows_configured_origins_only() {
    let app = spawn_gateway_with(|s| s.cors.allowed_origins = vec!["http://app.test".into()]).await;
    let preflight = |origin: &'static str| {
        app.client
            .request(reqwest::Method::OPTIONS, app.url("/api/meetings"))
            .header("origin", origin)
            .header("access-control-request-method", "POST")
            .header(
                "access-control-request-headers",
                "authorization, content-type",
            )
            .send()
    };
    let res = preflight("http://app.test").await.unwrap();
    assert!(res.status().is_success());
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "http://app.test"
    );
    let methods = res.headers()["access-control-allow-methods"]
        .to_str()
        .unwrap();
    assert!(methods.contains("POST"));
    let allowed = res.headers()["access-control-allow-headers"]
        .to_str()
        .unwrap()
        .to_ascii_lowercase();
    assert!(allowed.contains("authorization"));

    let res = preflight("http://evil.test").await.unwrap();
    assert!(!res.headers().contains_key("access-control-allow-origin"));

    // Actual responses (even 401s) carry the header so the browser can read them.
    let res = app
        .client
        .get(app.url("/api/meetings"))
        .header("origin", "http://app.test")
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    assert_eq!(
        res.headers()["access-control-allow-origin"],
        "http://app.test"
    );
}
