//! SIGKILL in the middle of the minutes pipeline: after a restart the pipeline completes with
//! exactly one transcript and one analysis per meeting, no duplicate todo, notification or
//! e-mail.

use std::collections::HashMap;
use std::time::Duration;

use quorum_store::Db;
use quorum_test_support::mail::MailSink;
use serde_json::{json, Value};

use crate::binary::{self, Server};
use crate::helpers::service_db;
use crate::pipeline::eventually;

pub(crate) const NOTES: &str = "\
Kim Minji: Welcome, everyone. Today we review the launch plan and the budget.
Alex Park: The landing page is almost done. I will send the final draft by Friday.
Sam Lee: The budget spreadsheet needs another pass. I'll update the budget by next Monday.
Kim Minji: Sam, can you book the venue by Thursday?
- [ ] @Alex prepare the demo slides by 1/20
";
pub(crate) const TODOS_PER_MEETING: usize = 4;

struct Person {
    id: String,
    email: String,
    token: String,
}

pub(crate) fn env(sink: &MailSink) -> Vec<(&'static str, String)> {
    vec![
        ("QUORUM_IDENTITY__ARGON2_MEMORY_KIB", "1024".into()),
        ("QUORUM_IDENTITY__ARGON2_ITERATIONS", "1".into()),
        ("QUORUM_NOTIFICATION__SMTP__HOST", "127.0.0.1".into()),
        ("QUORUM_NOTIFICATION__SMTP__PORT", sink.port.to_string()),
        ("QUORUM_NOTIFICATION__SMTP__SECURITY", "none".into()),
        (
            "QUORUM_NOTIFICATION__SMTP__FROM",
            "minutes@quorum.test".into(),
        ),
        // A short SMTP timeout keeps the lease of a send cut by SIGKILL short.
        ("QUORUM_NOTIFICATION__SMTP__TIMEOUT_MS", "1000".into()),
    ]
}

async fn register(http: &reqwest::Client, s: &Server, name: &str, email: &str) -> Person {
    let res = http
        .post(s.url("/api/users/register"))
        .json(&json!({"email": email, "password": "correct horse battery", "name": name}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 201);
    let id = res.json::<Value>().await.unwrap()["id"]
        .as_str()
        .unwrap()
        .to_string();
    let tokens: Value = http
        .post(s.url("/api/users/login"))
        .json(&json!({"email": email, "password": "correct horse battery"}))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    Person {
        id,
        email: email.into(),
        token: tokens["accessToken"].as_str().unwrap().into(),
    }
}

async fn call(
    http: &reqwest::Client,
    s: &Server,
    who: &Person,
    method: &str,
    path: &str,
    body: Value,
) -> (u16, Value) {
    let req = match method {
        "GET" => http.get(s.url(path)),
        _ => http.post(s.url(path)).json(&body),
    };
    let res = req.bearer_auth(&who.token).send().await.unwrap();
    let status = res.status().as_u16();
    (status, res.json().await.unwrap_or(Value::Null))
}

/// Creates and starts a meeting of `owner` with `others`; returns its id.
async fn started_meeting(
    http: &reqwest::Client,
    s: &Server,
    owner: &Person,
    others: &[&Person],
) -> String {
    let body = json!({
        "title": "Launch sync",
        "scheduledAt": "2027-01-13T01:00:00Z",
        "participantIds": others.iter().map(|p| p.id.as_str()).collect::<Vec<_>>(),
    });
    let meeting = eventually("the directory to know the participants", || async {
        let (status, m) = call(http, s, owner, "POST", "/api/meetings", body.clone()).await;
        (status == 201).then_some(m)
    })
    .await;
    let id = meeting["id"].as_str().unwrap().to_string();
    let (status, _) = call(
        http,
        s,
        owner,
        "POST",
        &format!("/api/meetings/{id}/start"),
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    id
}

/// Waits until the meeting's pipeline is complete: MINUTES_READY with every todo counted.
async fn completed(http: &reqwest::Client, s: &Server, owner: &Person, id: &str) {
    eventually("the pipeline to complete after the restart", || async {
        let (_, m) = call(
            http,
            s,
            owner,
            "GET",
            &format!("/api/meetings/{id}"),
            Value::Null,
        )
        .await;
        let (_, a) = call(
            http,
            s,
            owner,
            "GET",
            &format!("/api/ai/meetings/{id}/analysis"),
            Value::Null,
        )
        .await;
        (m["status"] == "MINUTES_READY"
            && m["progress"]["total"] == TODOS_PER_MEETING
            && a["summary"].is_string())
        .then_some(())
    })
    .await;
}

async fn count(db: &Db, sql: &str, arg: &str) -> i64 {
    quorum_store::sqlx::query_scalar(sql)
        .bind(arg)
        .fetch_one(db.reader())
        .await
        .unwrap()
}

#[tokio::test]
async fn sigkill_mid_pipeline_loses_and_duplicates_nothing() {
    let sink = MailSink::start(&[]).await;
    let data = tempfile::tempdir().unwrap();
    let http = reqwest::Client::new();
    let env = env(&sink);

    let server = binary::start(data.path(), &env).await;
    let minji = register(&http, &server, "Kim Minji", "minji@example.com").await;
    let alex = register(&http, &server, "Alex Park", "alex@example.com").await;
    let sam = register(&http, &server, "Sam Lee", "sam@example.com").await;
    let people = [&minji, &alex, &sam];

    // Crash 1: right after `end` answered — the event is in the outbox, nothing downstream.
    let first = started_meeting(&http, &server, &minji, &[&alex, &sam]).await;
    let (status, _) = call(
        &http,
        &server,
        &minji,
        "POST",
        &format!("/api/meetings/{first}/end"),
        json!({"notes": NOTES}),
    )
    .await;
    assert_eq!(status, 200);
    server.signal("KILL");
    server.wait().await;

    let server = binary::start(data.path(), &env).await;
    completed(&http, &server, &minji, &first).await;

    // Crash 2: as soon as the transcript exists — analysis, todos and mail still under way.
    let second = started_meeting(&http, &server, &minji, &[&alex, &sam]).await;
    let (status, _) = call(
        &http,
        &server,
        &minji,
        "POST",
        &format!("/api/meetings/{second}/end"),
        json!({"notes": NOTES}),
    )
    .await;
    assert_eq!(status, 200);
    for _ in 0..2000 {
        let (status, _) = call(
            &http,
            &server,
            &minji,
            "GET",
            &format!("/api/transcripts?meetingId={second}"),
            Value::Null,
        )
        .await;
        if status == 200 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    server.signal("KILL");
    server.wait().await;

    let server = binary::start(data.path(), &env).await;
    completed(&http, &server, &minji, &second).await;

    // Every participant was told, by mail too. Wait until no delivery is left in flight (a
    // send cut by SIGKILL is retried once its lease runs out), then stop cleanly.
    let notification = service_db(data.path(), "notification").await;
    eventually("every e-mail delivery to settle", || async {
        let open: i64 = quorum_store::sqlx::query_scalar(
            "SELECT COUNT(*) FROM deliveries WHERE state <> 'SENT'",
        )
        .fetch_one(notification.reader())
        .await
        .unwrap();
        (open == 0).then_some(())
    })
    .await;
    for meeting in [&first, &second] {
        let (_, todos) = call(
            &http,
            &server,
            &minji,
            "GET",
            &format!("/api/todos?meetingId={meeting}"),
            Value::Null,
        )
        .await;
        assert_eq!(
            todos["total"], TODOS_PER_MEETING,
            "duplicate or lost todos: {todos}"
        );
    }
    server.signal("TERM");
    let (exit, _) = server.wait().await;
    assert!(exit.success());

    let transcript = service_db(data.path(), "transcript").await;
    let ai = service_db(data.path(), "ai").await;
    let todo = service_db(data.path(), "todo").await;
    for meeting in [&first, &second] {
        assert_eq!(
            count(
                &transcript,
                "SELECT COUNT(*) FROM transcripts WHERE meeting_id = $1",
                meeting
            )
            .await,
            1
        );
        assert_eq!(
            count(
                &ai,
                "SELECT COUNT(*) FROM analyses WHERE meeting_id = $1 AND kind = 'AUTO'",
                meeting
            )
            .await,
            1
        );
        assert_eq!(
            count(
                &todo,
                "SELECT COUNT(*) FROM todos WHERE meeting_id = $1",
                meeting
            )
            .await,
            TODOS_PER_MEETING as i64
        );
    }
    // E-mail: every delivery reached its recipient as exactly one distinct message. A send cut
    // by SIGKILL after the server accepted it is sent again, after the restart, with the same
    // Message-ID (SMTP has no idempotency key), so the recipient's store sees one message; a
    // delivery is never mailed more often than it was claimed.
    let mut resent = 0;
    for p in people {
        let claims: HashMap<String, i64> = quorum_store::sqlx::query_as::<_, (String, i64)>(
            "SELECT id, attempts FROM deliveries WHERE user_id = $1 AND state = 'SENT'",
        )
        .bind(&p.id)
        .fetch_all(notification.reader())
        .await
        .unwrap()
        .into_iter()
        .collect();
        let mut copies: HashMap<String, i64> = HashMap::new();
        for m in sink.mails_to(&p.email) {
            let id = m.message_id.unwrap();
            let delivery = id
                .trim_matches(['<', '>'])
                .trim_end_matches("@quorum.delivery");
            *copies.entry(delivery.to_string()).or_default() += 1;
        }
        assert_eq!(
            copies.len(),
            claims.len(),
            "{}: messages {copies:?} for deliveries {claims:?}",
            p.email
        );
        for (delivery, n) in &copies {
            let claimed = claims.get(delivery).copied().unwrap_or(0);
            assert!(
                *n <= claimed,
                "{}: delivery {delivery} mailed {n}× but claimed {claimed}×",
                p.email
            );
            resent += n - 1;
        }
    }
    eprintln!("{resent} message(s) re-sent after a kill cut their send");
    let per_kind: HashMap<String, i64> = quorum_store::sqlx::query_as::<_, (String, i64)>(
        "SELECT kind, COUNT(*) FROM notifications GROUP BY kind",
    )
    .fetch_all(notification.reader())
    .await
    .unwrap()
    .into_iter()
    .collect();
    // meeting.ended reaches all three participants of each meeting, once.
    let ended = per_kind
        .iter()
        .find(|(k, _)| k.contains("ended"))
        .map(|(_, n)| *n);
    assert_eq!(ended, Some(6), "{per_kind:?}");
}
