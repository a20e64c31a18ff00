//! Asynchronous request-reply: 202 + Location, PENDING/PROCESSING → COMPLETED by polling and
//! by Server-Sent Events; a failing job ends FAILED and is dead-lettered; a full queue is 503.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt;
use quorum_ai::Settings;
use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::{spawn_with, transcript, FailingEngine, People, StubEngine};

/// Reads an SSE stream until a terminal event; returns (event name, data) pairs.
async fn sse(res: reqwest::Response) -> Vec<(String, Value)> {
    let mut stream = res.bytes_stream();
    let mut buf = String::new();
    let mut out = Vec::new();
    let read = async {
        while let Some(chunk) = stream.next().await {
            buf.push_str(&String::from_utf8_lossy(&chunk.unwrap()));
            while let Some(end) = buf.find("\n\n") {
                let block: String = buf.drain(..end + 2).collect();
                let field = |name: &str| {
                    block
                        .lines()
                        .find_map(|l| l.strip_prefix(name).map(|v| v.trim().to_string()))
                };
                if let (Some(event), Some(data)) = (field("event:"), field("data:")) {
                    let terminal = event == "COMPLETED" || event == "FAILED";
                    out.push((event, serde_json::from_str(&data).unwrap()));
                    if terminal {
                        return;
                    }
                }
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(15), read)
        .await
        .expect("SSE finished");
    out
}

#[tokio::test]
async fn a_schedule_request_is_accepted_then_completed_by_poll_and_by_sse() {
    let slow = Arc::new(StubEngine {
        delay: Duration::from_millis(600),
    });
    let app = spawn_with(Settings::default(), slow).await;
    let people = People::new();
    let t = transcript(&people);
    app.analysed(&t).await;
    let body = json!({"meetingId": t.meeting_id, "transcriptId": t.transcript_id});

    let res = app
        .post("/api/ai/schedules", people.guest, body.clone())
        .await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{:?}", res.body);
    let task_id = res.body["taskId"].as_str().unwrap().to_string();
    assert!(task_id.starts_with("ai-schedule-"));
    assert_eq!(res.body["status"], "PENDING");
    let url = format!("/api/ai/tasks/{task_id}");
    assert_eq!(res.body["statusUrl"], url);
    assert_eq!(res.headers["location"], url.as_str());
    assert!(res.headers.contains_key("retry-after"));

    let stream = app
        .client
        .get(format!("{}{url}/events", app.base))
        .header("x-quorum-user-id", people.guest.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(stream.status(), StatusCode::OK);
    assert!(stream.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let (seen, done) = tokio::join!(app.poll(&url, people.guest), sse(stream));
    let (polled, last) = seen;
    assert!(
        matches!(
            polled.first().map(String::as_str),
            Some("PENDING" | "PROCESSING")
        ),
        "{polled:?}"
    );
    assert!(polled.contains(&"PROCESSING".to_string()), "{polled:?}");
    assert_eq!(polled.last().map(String::as_str), Some("COMPLETED"));
    assert_eq!(last.status, StatusCode::OK);
    let result = &last.body["result"];
    assert!(result["scheduleId"].is_string());
    assert_eq!(result["schedules"][0]["durationMinutes"], 45);
    assert_eq!(result["schedules"][0]["start"], "2025-03-10T01:00:00Z");
    assert!(last.body["startedAt"].is_string() && last.body["completedAt"].is_string());

    let names: Vec<&str> = done.iter().map(|(e, _)| e.as_str()).collect();
    assert!(
        names == ["PENDING", "PROCESSING", "COMPLETED"] || names == ["PROCESSING", "COMPLETED"],
        "{names:?}"
    );
    assert_eq!(done.last().unwrap().1["result"], *result);

    // The stored schedule is downloadable as a whole by its scheduleId.
    let ics = app
        .get(
            &format!(
                "/api/ai/schedules/{}.ics",
                result["scheduleId"].as_str().unwrap()
            ),
            people.owner,
        )
        .await;
    assert_eq!(ics.status, StatusCode::OK);
}

#[tokio::test]
async fn a_failing_job_ends_failed_and_is_dead_lettered() {
    let app = spawn_with(Settings::default(), Arc::new(FailingEngine)).await;
    let people = People::new();
    let t = transcript(&people);
    // The automatic analysis fails too (an empty one is stored in its place), and the
    // transcript is kept for requests.
    app.publish(&crate::helpers::envelope(&t)).await;
    app.eventually("the transcript to be kept", || async {
        app.count("SELECT COUNT(*) FROM transcripts").await == 1
    })
    .await;
    let body = json!({"meetingId": t.meeting_id, "transcriptId": t.transcript_id});
    let res = app.post("/api/ai/summaries", people.owner, body).await;
    assert_eq!(res.status, StatusCode::ACCEPTED, "{:?}", res.body);
    let (_, last) = app
        .poll(res.body["statusUrl"].as_str().unwrap(), people.owner)
        .await;
    assert_eq!(last.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert_eq!(last.body["status"], "FAILED");
    assert!(
        last.body["errorMessage"]
            .as_str()
            .unwrap()
            .contains("nothing was said"),
        "{:?}",
        last.body
    );
    app.eventually("the job in the dead-letter queue", || async {
        app.depth("ai.processing.queue.dlq").await == 1
    })
    .await;
    assert_eq!(app.depth("ai.processing.queue").await, 0);
}

#[tokio::test]
async fn a_full_queue_refuses_with_503_and_retry_after() {
    let settings = Settings {
        workers: 0,
        queue_max_length: 2,
        ..Settings::default()
    };
    let app = spawn_with(settings, crate::helpers::stub()).await;
    let people = People::new();
    let t = transcript(&people);
    app.analysed(&t).await;
    let body = json!({"meetingId": t.meeting_id, "transcriptId": t.transcript_id});
    for _ in 0..2 {
        let ok = app
            .post("/api/ai/schedules", people.owner, body.clone())
            .await;
        assert_eq!(ok.status, StatusCode::ACCEPTED);
    }
    let full = app.post("/api/ai/summaries", people.owner, body).await;
    assert_eq!(
        full.status,
        StatusCode::SERVICE_UNAVAILABLE,
        "{:?}",
        full.body
    );
    assert_eq!(full.body["code"], "ai_busy");
    assert_eq!(full.headers["content-type"], "application/problem+json");
    assert!(
        full.headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            > 0
    );
    assert_eq!(app.depth("ai.processing.queue").await, 2);
}
