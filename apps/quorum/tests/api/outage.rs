//! RabbitMQ taken away (every connection cut, new ones refused, through a TCP proxy) while
//! meetings are created, started and ended: every write succeeds, nothing moves while the
//! broker is away, and once it is back every meeting's minutes are produced exactly once.
//! Every write goes in a ledger (ok / failed / unknown); the test fails on any write that
//! was not ok, any meeting left unfinished and any duplicated todo. Runs in the pass on
//! production backends (`QUORUM_TEST_AMQP_URL`).

use std::time::Duration;

use quorum_test_support::proxy::Proxy;
use serde_json::{json, Value};

use crate::crash::{NOTES, TODOS_PER_MEETING};
use crate::helpers::{spawn_with, test_settings, TestApp, User};
use crate::pipeline::eventually;

#[derive(Debug, Default)]
struct Ledger {
    ok: Vec<String>,
    failed: Vec<String>,
    unknown: Vec<String>,
}

impl Ledger {
    /// Sends `POST path` and records how it ended.
    async fn post(&mut self, app: &TestApp, user: &User, path: &str, body: Value) -> Option<Value> {
        let res = app
            .client
            .post(app.url(path))
            .bearer_auth(&user.token)
            .json(&body)
            .timeout(Duration::from_secs(15))
            .send()
            .await;
        match res {
            Ok(res) if res.status().is_success() => {
                self.ok.push(path.to_string());
                res.json().await.ok()
            }
            Ok(res) => {
                let status = res.status();
                let text = res.text().await.unwrap_or_default();
                self.failed.push(format!("{path}: {status} {text}"));
                None
            }
            Err(e) => {
                self.unknown.push(format!("{path}: {e}"));
                None
            }
        }
    }

    /// Creates, starts and ends a meeting with action items in its notes; returns its id.
    async fn meeting(&mut self, app: &TestApp, owner: &User, others: &[&User]) -> Option<String> {
        let ids: Vec<&str> = others.iter().map(|u| u.id.as_str()).collect();
        let body = json!({
            "title": "Launch sync",
            "scheduledAt": "2027-01-13T01:00:00Z",
            "participantIds": ids,
        });
        let created = self.post(app, owner, "/api/meetings", body).await?;
        let id = created["id"].as_str()?.to_string();
        self.post(app, owner, &format!("/api/meetings/{id}/start"), json!({}))
            .await?;
        self.post(
            app,
            owner,
            &format!("/api/meetings/{id}/end"),
            json!({"notes": NOTES}),
        )
        .await?;
        Some(id)
    }
}

async fn status_of(app: &TestApp, owner: &User, id: &str) -> Value {
    app.get(owner, &format!("/api/meetings/{id}"))
        .await
        .json()
        .await
        .unwrap()
}

/// Waits for the minutes of `id`, then checks nothing was produced twice.
async fn minutes_once(app: &TestApp, owner: &User, id: &str) {
    eventually("the minutes after the broker returned", || async {
        let m = status_of(app, owner, id).await;
        (m["status"] == "MINUTES_READY" && m["progress"]["total"] == TODOS_PER_MEETING)
            .then_some(())
    })
    .await;
    let todos: Value = app
        .get(owner, &format!("/api/todos?meetingId={id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        todos["total"], TODOS_PER_MEETING,
        "lost or duplicated todos: {todos}"
    );
}

#[tokio::test]
async fn meetings_ended_while_rabbitmq_is_down_get_their_minutes_once_it_returns() {
    let data = tempfile::tempdir().unwrap();
    let mut settings = test_settings(data.path());
    if settings.backends.amqp_url.is_blank() {
        eprintln!("QUORUM_TEST_AMQP_URL not set; RabbitMQ outage test skipped");
        return;
    }
    let proxy = Proxy::start(settings.backends.amqp_url.expose()).await;
    settings.backends.amqp_url = proxy.url.clone().into();
    let app = spawn_with(settings, data).await;
    let minji = app.register("Kim Minji", "minji@outage.test").await;
    let alex = app.register("Alex Park", "alex@outage.test").await;
    let sam = app.register("Sam Lee", "sam@outage.test").await;
    // The meeting service learns of the users through the broker: wait until it knows them.
    let first = app.create_meeting(&minji, "Warm-up", &[&alex, &sam]).await;
    let first = first["id"].as_str().unwrap().to_string();

    proxy.cut();
    app.wait_for_component("broker", "DOWN").await;

    let mut ledger = Ledger::default();
    let mut ended = Vec::new();
    for _ in 0..4 {
        ended.extend(ledger.meeting(&app, &minji, &[&alex, &sam]).await);
    }
    assert!(
        ledger.failed.is_empty() && ledger.unknown.is_empty(),
        "writes must succeed while the broker is away: {ledger:#?}"
    );
    assert_eq!(ledger.ok.len(), 12, "{ledger:#?}");
    // Nothing moves on while it is away: the events wait in the outboxes.
    tokio::time::sleep(Duration::from_secs(1)).await;
    for id in &ended {
        let m = status_of(&app, &minji, id).await;
        assert_ne!(m["status"], "MINUTES_READY", "{m}");
    }

    proxy.restore();
    for id in &ended {
        minutes_once(&app, &minji, id).await;
    }
    // The meeting created before the outage is still just a meeting.
    assert_eq!(status_of(&app, &minji, &first).await["status"], "SCHEDULED");
    app.stop().await;
}
