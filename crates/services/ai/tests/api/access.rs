//! Who may read what: participants see a meeting's analysis; outsiders get 404 (existence
//! is not revealed); no identity is 401. Task status is the requester's alone.

use reqwest::{Method, StatusCode};
use serde_json::json;

use crate::helpers::{spawn_app, transcript, People};

#[tokio::test]
async fn only_participants_see_a_meetings_analysis() {
    let app = spawn_app().await;
    let people = People::new();
    let t = transcript(&people);
    app.analysed(&t).await;
    let path = format!("/api/ai/meetings/{}/analysis", t.meeting_id);

    let guest = app.get(&path, people.guest).await;
    assert_eq!(guest.status, StatusCode::OK);
    assert_eq!(guest.body["decisions"], json!(["Ship on Friday"]));

    let outsider = app.get(&path, people.outsider).await;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND);
    assert_eq!(outsider.headers["content-type"], "application/problem+json");

    let anonymous = app.call(Method::GET, &path, None, None).await;
    assert_eq!(anonymous.status, StatusCode::UNAUTHORIZED);

    let unknown = app
        .get(
            &format!("/api/ai/meetings/{}/analysis", uuid::Uuid::now_v7()),
            people.owner,
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let malformed = app
        .get("/api/ai/meetings/not-a-uuid/analysis", people.owner)
        .await;
    assert_eq!(malformed.status, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn requests_are_validated_and_tasks_are_private() {
    let app = spawn_app().await;
    let people = People::new();
    let t = transcript(&people);
    app.analysed(&t).await;
    let body = json!({"meetingId": t.meeting_id, "transcriptId": t.transcript_id});

    let outsider = app
        .post("/api/ai/summaries", people.outsider, body.clone())
        .await;
    assert_eq!(outsider.status, StatusCode::NOT_FOUND);
    let unknown = app
        .post(
            "/api/ai/summaries",
            people.owner,
            json!({"meetingId": t.meeting_id, "transcriptId": uuid::Uuid::now_v7()}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
    let mismatch = app
        .post(
            "/api/ai/summaries",
            people.owner,
            json!({"meetingId": uuid::Uuid::now_v7(), "transcriptId": t.transcript_id}),
        )
        .await;
    assert_eq!(
        mismatch.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "{:?}",
        mismatch.body
    );
    let garbage = app
        .post(
            "/api/ai/summaries",
            people.owner,
            json!({"meetingId": "x", "transcriptId": "y"}),
        )
        .await;
    assert_eq!(garbage.status, StatusCode::UNPROCESSABLE_ENTITY);
    let missing = app
        .post(
            "/api/ai/summaries",
            people.owner,
            json!({"meetingId": t.meeting_id}),
        )
        .await;
    assert_eq!(missing.status, StatusCode::UNPROCESSABLE_ENTITY);

    let accepted = app.post("/api/ai/summaries", people.guest, body).await;
    assert_eq!(accepted.status, StatusCode::ACCEPTED);
    let url = accepted.body["statusUrl"].as_str().unwrap().to_string();
    assert_eq!(
        app.get(&url, people.owner).await.status,
        StatusCode::NOT_FOUND,
        "not the requester"
    );
    assert_eq!(
        app.get(&format!("{url}/events"), people.owner).await.status,
        StatusCode::NOT_FOUND
    );
    let (_, done) = app.poll(&url, people.guest).await;
    assert_eq!(done.status, StatusCode::OK);
    assert_eq!(done.body["result"]["summary"], "Summary of Launch review");
    assert_eq!(done.body["result"]["decisions"], json!(["Ship on Friday"]));
    assert_eq!(
        app.get("/api/ai/tasks/ai-summary-nope", people.guest)
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
