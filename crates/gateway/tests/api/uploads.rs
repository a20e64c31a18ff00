//! Upload routes: their own body limit and timeout, and bodies that stream through.

use std::time::Duration;

use futures::SinkExt;
use serde_json::Value;
use uuid::Uuid;

use crate::assert_problem;
use crate::helpers::spawn_gateway_with;

const UPLOAD: &str = "/api/meetings/0195f0c4-7b1e-7000-8000-000000000001/recording";

#[tokio::test]
async fn uploads_have_their_own_body_limit() {
    let app = spawn_gateway_with(|s| {
        s.body_limit_bytes = 1024;
        s.upload_body_limit_bytes = 64 * 1024;
    })
    .await;
    let token = app.token(Uuid::now_v7());
    let post = |path: &str, body: reqwest::Body| {
        app.client
            .post(app.url(path))
            .bearer_auth(&token)
            .body(body)
            .send()
    };

    let res = post(UPLOAD, vec![7; 32 * 1024].into()).await.unwrap();
    assert_eq!(res.status(), 200);
    let echo: Value = res.json().await.unwrap();
    assert_eq!(echo["bodyLength"], 32 * 1024);

    // Other routes keep the general limit, even on the same prefix.
    let res = post("/api/meetings", vec![7; 32 * 1024].into())
        .await
        .unwrap();
    assert_problem(res, 413, "payload_too_large").await;
    let other = UPLOAD.replace("recording", "notes");
    let res = post(&other, vec![7; 32 * 1024].into()).await.unwrap();
    assert_problem(res, 413, "payload_too_large").await;

    // Over the upload limit: refused from the length, or cut off while streaming.
    let res = post(UPLOAD, vec![7; 100 * 1024].into()).await.unwrap();
    let body = assert_problem(res, 413, "payload_too_large").await;
    assert!(body["detail"].as_str().unwrap().contains("65536"), "{body}");
    let chunks = (0..25).map(|_| Ok::<_, std::io::Error>(vec![7_u8; 4096]));
    let stream = reqwest::Body::wrap_stream(futures::stream::iter(chunks));
    let res = post(UPLOAD, stream).await.unwrap();
    assert_eq!(res.status(), 413);
}

#[tokio::test]
async fn uploads_have_their_own_timeout() {
    let app = spawn_gateway_with(|s| {
        let meetings = s
            .routes
            .iter_mut()
            .find(|r| r.prefix == "/api/meetings")
            .unwrap();
        meetings.timeout_ms = Some(200);
        s.upload_timeout_secs = 1;
    })
    .await;
    let token = app.token(Uuid::now_v7());
    let upload = |delay_ms: u64| {
        app.client
            .post(app.url(UPLOAD))
            .bearer_auth(&token)
            .header("x-test-delay-ms", delay_ms.to_string())
            .body(vec![1_u8; 1024])
            .send()
    };
    // Longer than the route's 200 ms, within the upload timeout.
    let res = upload(500).await.unwrap();
    assert_eq!(res.status(), 200);
    let res = app.get_as("/api/meetings/slow", &token).await;
    assert_problem(res, 504, "gateway_timeout").await;
    // Past the upload timeout.
    let started = std::time::Instant::now();
    let res = upload(3_000).await.unwrap();
    assert_problem(res, 504, "gateway_timeout").await;
    assert!(started.elapsed() < Duration::from_millis(2_500));
}

#[tokio::test]
async fn upload_bodies_stream_through_without_being_buffered() {
    let app = spawn_gateway_with(|_| {}).await;
    let token = app.token(Uuid::now_v7());
    let (mut tx, rx) = futures::channel::mpsc::channel::<Result<Vec<u8>, std::io::Error>>(1);
    let request = app
        .client
        .post(app.url(UPLOAD))
        .bearer_auth(&token)
        .body(reqwest::Body::wrap_stream(rx))
        .send();
    let started = app.upload_started.clone();
    let client = async move {
        tx.send(Ok(vec![1; 1000])).await.unwrap();
        // The service sees the first bytes while the client still holds the rest back: a
        // gateway that buffered the body would wait for the end of it first.
        tokio::time::timeout(Duration::from_secs(5), started.notified())
            .await
            .expect("the upstream receives the body while it is being sent");
        tx.send(Ok(vec![2; 2000])).await.unwrap();
    };
    let (res, ()) = tokio::join!(request, client);
    let res = res.unwrap();
    assert_eq!(res.status(), 200);
    let echo: Value = res.json().await.unwrap();
    assert_eq!(echo["bodyLength"], 3000);
}
