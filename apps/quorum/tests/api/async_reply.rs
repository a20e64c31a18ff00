//! Asynchronous request-reply through the gateway: `POST /api/ai/schedules` answers 202 with
//! `Location`; polling and the SSE stream both see the task finish with a result; the `.ics`
//! of the suggestion is served.

use serde_json::{json, Value};

use crate::helpers::spawn_app;
use crate::pipeline::eventually;

#[tokio::test]
async fn ai_schedule_request_is_accepted_then_completes_with_polling_and_sse() {
    let app = spawn_app().await;
    let owner = app.register("Kim Minji", "minji@example.com").await;
    let alex = app.register("Alex Park", "alex@example.com").await;
    let mut body = json!({"title": "Launch sync", "scheduledAt": "2027-01-13T01:00:00Z",
                          "participantIds": [alex.id]});
    let meeting = app.create_meeting_with(&owner, &mut body).await;
    let id = meeting["id"].as_str().unwrap().to_string();
    app.post(&owner, &format!("/api/meetings/{id}/start"), json!({}))
        .await;
    let notes = "Alex Park: I will send the draft by Friday.\n\
                 Kim Minji: The follow-up meeting is next Tuesday at 2pm.";
    app.post(
        &owner,
        &format!("/api/meetings/{id}/end"),
        json!({"notes": notes}),
    )
    .await;
    let transcript: Value = eventually("the transcript", || async {
        let res = app
            .get(&owner, &format!("/api/transcripts?meetingId={id}"))
            .await;
        (res.status() == 200).then_some(res.json().await.unwrap())
    })
    .await;
    // The AI service learns transcripts from events: wait until it has this one.
    eventually("the automatic analysis", || async {
        let res = app
            .get(&owner, &format!("/api/ai/meetings/{id}/analysis"))
            .await;
        (res.status() == 200).then_some(())
    })
    .await;

    let res = app
        .post(
            &alex,
            "/api/ai/schedules",
            json!({"meetingId": id, "transcriptId": transcript["id"]}),
        )
        .await;
    assert_eq!(res.status(), 202);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    assert!(res.headers().contains_key("retry-after"));
    let accepted: Value = res.json().await.unwrap();
    assert_eq!(accepted["status"], "PENDING");
    assert_eq!(accepted["statusUrl"], location.as_str());

    // Server-Sent Events through the gateway: the transitions in order, ending COMPLETED.
    let sse = app
        .client
        .get(app.url(&format!("{location}/events")))
        .bearer_auth(&alex.token)
        .send()
        .await
        .unwrap();
    assert_eq!(sse.status(), 200);
    assert!(sse.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let text = tokio::time::timeout(std::time::Duration::from_secs(20), sse.text())
        .await
        .expect("the stream ends after the terminal status")
        .unwrap();
    let statuses: Vec<&str> = text
        .lines()
        .filter_map(|l| l.strip_prefix("event:"))
        .map(str::trim)
        .collect();
    assert_eq!(statuses.last(), Some(&"COMPLETED"), "{text}");
    let order = ["PENDING", "PROCESSING", "COMPLETED"];
    let ranks: Vec<usize> = statuses
        .iter()
        .map(|s| order.iter().position(|o| o == s).unwrap())
        .collect();
    assert!(ranks.windows(2).all(|w| w[0] < w[1]), "{statuses:?}");

    // Polling: 200 with the result once completed; only the requester may look.
    let res = app.get(&alex, &location).await;
    assert_eq!(res.status(), 200);
    let task: Value = res.json().await.unwrap();
    assert_eq!(task["status"], "COMPLETED");
    assert!(task["completedAt"].is_string());
    let schedules = task["result"]["schedules"].as_array().unwrap();
    assert!(!schedules.is_empty(), "{task}");
    assert_eq!(app.get(&owner, &location).await.status(), 404);

    // The suggestion as an iCalendar invite.
    let suggestion = schedules[0]["id"].as_str().unwrap();
    let res = app
        .get(&alex, &format!("/api/ai/schedules/{suggestion}.ics"))
        .await;
    assert_eq!(res.status(), 200);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/calendar"));
    let ics = res.text().await.unwrap();
    assert!(
        ics.starts_with("BEGIN:VCALENDAR\r\n") && ics.contains("BEGIN:VEVENT\r\n"),
        "{ics}"
    );
    app.stop().await;
}
