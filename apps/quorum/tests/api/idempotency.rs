//! `Idempotency-Key` across a `kill -9` and across two replicas: a client that retries a
//! create gets the first answer back, and the meeting exists once.

use reqwest::Response;
use serde_json::{json, Value};

use crate::binary;
use crate::helpers::{spawn_with, test_settings, TestApp, User};

async fn create(app: &TestApp, owner: &User, key: &str) -> Response {
    app.client
        .post(app.url("/api/meetings"))
        .bearer_auth(&owner.token)
        .header("idempotency-key", key)
        .json(&json!({"title": "Budget review", "scheduledAt": "2027-02-01T01:00:00Z", "participantIds": []}))
        .send()
        .await
        .unwrap()
}

/// The owner's meetings titled "Budget review".
async fn budget_reviews(app: &TestApp, owner: &User) -> usize {
    let res = app.get(owner, "/api/meetings?size=100").await;
    assert_eq!(res.status(), 200);
    let page: Value = res.json().await.unwrap();
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["title"] == "Budget review")
        .count()
}

/// The answer a replayed create gives: its status, the meeting's id and the replay header.
async fn answer(res: Response) -> (u16, String, bool) {
    let status = res.status().as_u16();
    let replayed = res.headers().get("idempotent-replayed").is_some();
    let body: Value = res.json().await.unwrap();
    (
        status,
        body["id"].as_str().unwrap_or_default().to_owned(),
        replayed,
    )
}

#[tokio::test]
async fn a_retry_after_kill_9_gets_the_first_answer_and_creates_nothing() {
    let data = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let server = binary::start(data.path(), &[]).await;
    let app = TestApp::remote(&server.base, http.clone());
    let owner = app.register("Dana Park", "dana@idempotency.test").await;
    let (status, first_id, replayed) = answer(create(&app, &owner, "create-1").await).await;
    assert_eq!((status, replayed), (201, false));

    server.signal("KILL");
    server.wait().await;
    let server = binary::start(data.path(), &[]).await;
    let app = TestApp::remote(&server.base, http);
    // The client did not see the answer and retries, with the same key, after the restart.
    let (status, retried_id, replayed) = answer(create(&app, &owner, "create-1").await).await;
    assert_eq!((status, replayed), (201, true));
    assert_eq!(retried_id, first_id, "the same meeting, not a second one");
    assert_eq!(budget_reviews(&app, &owner).await, 1);
    // Another key is another request.
    assert_eq!(answer(create(&app, &owner, "create-2").await).await.0, 201);
    assert_eq!(budget_reviews(&app, &owner).await, 2);
}

#[tokio::test]
async fn a_retry_through_the_other_replica_gets_the_first_answer() {
    let data = tempfile::tempdir().unwrap();
    let settings = test_settings(data.path());
    let b = &settings.backends;
    if b.redis_url.is_blank() || b.database_url.is_blank() || b.amqp_url.is_blank() {
        eprintln!("production backends not configured; replica test skipped");
        return;
    }
    let replica_a = spawn_with(settings.clone(), data).await;
    let replica_b = spawn_with(settings, tempfile::tempdir().unwrap()).await;
    let owner = replica_a
        .register("Dana Park", "dana@idempotency-replicas.test")
        .await;
    let (status, first_id, _) = answer(create(&replica_a, &owner, "create-1").await).await;
    assert_eq!(status, 201);
    let (status, retried_id, replayed) = answer(create(&replica_b, &owner, "create-1").await).await;
    assert_eq!((status, replayed), (201, true));
    assert_eq!(retried_id, first_id);
    assert_eq!(budget_reviews(&replica_b, &owner).await, 1);
}
