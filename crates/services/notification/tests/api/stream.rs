use std::time::Duration;

use futures::StreamExt as _;
use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

use crate::helpers::{meeting_created, spawn_with};

/// Reads server-sent events until one named `name` arrives (≤ 10 s); returns its data.
async fn next_event<S, B>(body: &mut S, buffer: &mut String, name: &str) -> String
where
    S: futures::Stream<Item = reqwest::Result<B>> + Unpin,
    B: AsRef<[u8]>,
{
    let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
    loop {
        while let Some(end) = buffer.find("\n\n") {
            let block: String = buffer.drain(..end + 2).collect();
            let mut event = "message";
            let mut data = String::new();
            for line in block.lines() {
                if let Some(v) = line.strip_prefix("event:") {
                    event = if v.trim() == name { name } else { "other" };
                } else if let Some(v) = line.strip_prefix("data:") {
                    data.push_str(v.trim_start());
                }
            }
            if event == name {
                return data;
            }
        }
        let chunk = tokio::time::timeout_at(deadline, body.next())
            .await
            .unwrap_or_else(|_| panic!("no `{name}` event within 10 s"))
            .expect("stream open")
            .unwrap();
        buffer.push_str(&String::from_utf8_lossy(chunk.as_ref()));
    }
}

#[tokio::test]
async fn a_connected_user_receives_new_notifications_live() {
    let app = spawn_with(None).await;
    let owner = Uuid::now_v7();
    let guest = Uuid::now_v7();
    let res = app
        .client
        .get(format!("{}/api/notifications/stream", app.base))
        .header("x-quorum-user-id", guest.to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .unwrap()
        .starts_with("text/event-stream"));
    let mut body = res.bytes_stream();
    let mut buffer = String::new();
    next_event(&mut body, &mut buffer, "ready").await;

    app.publish_meeting(&meeting_created("주간 회의", owner, &[owner, guest]))
        .await;
    let data = next_event(&mut body, &mut buffer, "notification").await;
    let live: Value = serde_json::from_str(&data).unwrap();
    assert_eq!(live["kind"], "meeting.created");
    assert_eq!(live["title"], "새 회의에 초대되었습니다: 주간 회의");
    let listed = app.notifications(guest).await;
    assert_eq!(listed[0]["id"], live["id"]);
}
