//! `DELETE /api/meetings/{id}` end to end: the owner deletes a meeting with minutes and todos,
//! and its transcript, analysis, todos and the notifications about it are gone for everyone;
//! a meeting deleted while its minutes are still being made leaves nothing behind once the
//! pipeline has drained (the services' tombstones stop the work in flight).

use std::time::Duration;

use quorum_store::sqlx;
use serde_json::{json, Value};

use crate::crash::NOTES;
use crate::helpers::{service_db, spawn_app, TestApp, User};
use crate::pipeline::eventually;

async fn delete(app: &TestApp, user: &User, id: &str) -> reqwest::StatusCode {
    app.client
        .delete(app.url(&format!("/api/meetings/{id}")))
        .bearer_auth(&user.token)
        .send()
        .await
        .unwrap()
        .status()
}

async fn status(app: &TestApp, user: &User, path: &str) -> u16 {
    app.get(user, path).await.status().as_u16()
}

async fn get_json(app: &TestApp, user: &User, path: &str) -> Value {
    let res = app.get(user, path).await;
    assert_eq!(res.status(), 200, "{path}");
    res.json().await.unwrap()
}

/// Ends a meeting of `owner` with `others` and the notes of `crate::crash::NOTES`.
async fn ended_meeting(app: &TestApp, owner: &User, others: &[&User]) -> String {
    let mut body = json!({
        "title": "Launch sync",
        "scheduledAt": "2027-01-13T01:00:00Z",
        "participantIds": others.iter().map(|u| u.id.as_str()).collect::<Vec<_>>(),
    });
    let meeting = app.create_meeting_with(owner, &mut body).await;
    let id = meeting["id"].as_str().unwrap().to_string();
    app.hold(owner, &id, NOTES).await;
    id
}

/// Whether `user` can still find anything of meeting `id` (or of `todos`) through the API.
async fn traces(
    app: &TestApp,
    user: &User,
    id: &str,
    transcript: Option<&str>,
    todos: &[String],
) -> Vec<String> {
    let mut found = Vec::new();
    for path in [
        format!("/api/meetings/{id}"),
        format!("/api/transcripts?meetingId={id}"),
        format!("/api/ai/meetings/{id}/analysis"),
    ]
    .into_iter()
    .chain(transcript.map(|t| format!("/api/transcripts/{t}")))
    .chain(todos.iter().map(|t| format!("/api/todos/{t}")))
    {
        let code = status(app, user, &path).await;
        if code != 404 {
            found.push(format!("{path}: {code}"));
        }
    }
    let listed = get_json(app, user, &format!("/api/todos?meetingId={id}")).await;
    if listed["total"] != 0 {
        found.push(format!("todos listed: {listed}"));
    }
    let mine = get_json(app, user, "/api/todos?size=100").await;
    for t in mine["items"].as_array().unwrap() {
        if t["meetingId"] == id {
            found.push(format!("todo in the list: {t}"));
        }
    }
    let meetings = get_json(app, user, "/api/meetings?size=100").await;
    for m in meetings["items"].as_array().unwrap() {
        if m["id"] == id {
            found.push("meeting in the list".into());
        }
    }
    let page = get_json(app, user, "/api/notifications?size=100").await;
    for n in page["items"].as_array().unwrap() {
        let about = n["data"]["meetingId"] == id
            || n["link"].as_str().is_some_and(|l| l.contains(id))
            || todos.iter().any(|t| n["data"]["todoId"] == t.as_str());
        if about {
            found.push(format!("notification: {n}"));
        }
    }
    found
}

#[tokio::test]
async fn a_deleted_meetings_minutes_todos_and_notifications_are_gone_for_everyone() {
    let app = spawn_app().await;
    let minji = app.register("Kim Minji", "minji@example.com").await;
    let alex = app.register("Alex Park", "alex@example.com").await;
    let sam = app.register("Sam Lee", "sam@example.com").await;
    let dana = app.register("Dana Reader", "dana@example.com").await;
    let id = ended_meeting(&app, &minji, &[&alex, &sam]).await;
    // Another meeting, which stays.
    let kept = app.create_meeting(&minji, "Budget", &[&alex]).await;
    let kept_id = kept["id"].as_str().unwrap().to_string();

    // The minutes: transcript, analysis, todos, MINUTES_READY; shared with Dana.
    let transcript: Value = eventually("the transcript", || async {
        let res = app
            .get(&minji, &format!("/api/transcripts?meetingId={id}"))
            .await;
        (res.status() == 200).then_some(res.json().await.unwrap())
    })
    .await;
    let transcript_id = transcript["id"].as_str().unwrap().to_string();
    eventually("the analysis and MINUTES_READY", || async {
        let analysis = status(&app, &alex, &format!("/api/ai/meetings/{id}/analysis")).await;
        let m = get_json(&app, &minji, &format!("/api/meetings/{id}")).await;
        (analysis == 200 && m["status"] == "MINUTES_READY").then_some(())
    })
    .await;
    let todos: Vec<String> = eventually("the todos", || async {
        let page = get_json(&app, &minji, &format!("/api/todos?meetingId={id}")).await;
        let items = page["items"].as_array().cloned().unwrap_or_default();
        (items.len() >= 4).then(|| {
            items
                .iter()
                .map(|t| t["id"].as_str().unwrap().to_string())
                .collect()
        })
    })
    .await;
    let res = app
        .post(
            &minji,
            &format!("/api/transcripts/{transcript_id}/share"),
            json!({ "userIds": [dana.id] }),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    for person in [&minji, &alex, &sam, &dana] {
        eventually("notifications about the meeting", || async {
            let found = traces(&app, person, &id, Some(transcript_id.as_str()), &todos).await;
            found
                .iter()
                .any(|f| f.starts_with("notification"))
                .then_some(())
        })
        .await;
    }

    // Only the owner deletes.
    assert_eq!(delete(&app, &alex, &id).await, 403);
    assert_eq!(delete(&app, &dana, &id).await, 404);
    assert_eq!(delete(&app, &minji, &id).await, 204);
    assert_eq!(delete(&app, &minji, &id).await, 404);

    for person in [&minji, &alex, &sam, &dana] {
        eventually(
            &format!("nothing of the meeting left for {}", person.name),
            || async {
                let found = traces(&app, person, &id, Some(transcript_id.as_str()), &todos).await;
                found.is_empty().then_some(()).or_else(|| {
                    eprintln!("{}: {found:?}", person.name);
                    None
                })
            },
        )
        .await;
    }
    // The other meeting and what was said about it stay.
    assert_eq!(
        status(&app, &alex, &format!("/api/meetings/{kept_id}")).await,
        200
    );
    let page = get_json(&app, &alex, "/api/notifications?size=100").await;
    assert!(
        page["items"]
            .as_array()
            .unwrap()
            .iter()
            .any(|n| n["data"]["meetingId"] == kept_id.as_str()),
        "{page}"
    );
    app.stop().await;
}

/// Each service's database, as the process under test uses it.
struct Databases(Vec<(&'static str, quorum_store::Db)>);

impl Databases {
    async fn open(data: &std::path::Path) -> Self {
        let mut dbs = Vec::new();
        for service in ["meeting", "transcript", "ai", "todo", "notification"] {
            dbs.push((service, service_db(data, service).await));
        }
        Self(dbs)
    }

    async fn count(&self, service: &str, sql: &str, meeting: Option<&str>) -> i64 {
        let db = &self.0.iter().find(|(s, _)| *s == service).unwrap().1;
        let mut query = sqlx::query_scalar(sql);
        if let Some(m) = meeting {
            query = query.bind(m.to_string());
        }
        query.fetch_one(db.reader()).await.unwrap()
    }

    /// Rows about `meeting` in each service's tables.
    async fn rows_left(&self, meeting: &str) -> Vec<String> {
        let tables: [(&str, &[&str]); 5] = [
            (
                "meeting",
                &["meetings:id", "meeting_participants", "recordings"],
            ),
            ("transcript", &["transcripts", "stt_jobs"]),
            (
                "ai",
                &[
                    "transcripts",
                    "analyses",
                    "schedule_suggestions",
                    "ai_tasks",
                ],
            ),
            ("todo", &["todos", "meetings", "meeting_participants"]),
            (
                "notification",
                &["notifications", "deliveries", "meeting_refs", "todo_refs"],
            ),
        ];
        let mut left = Vec::new();
        for (service, tables) in tables {
            for table in tables {
                let (table, column) = table.split_once(':').unwrap_or((table, "meeting_id"));
                let sql = format!("SELECT COUNT(*) FROM {table} WHERE {column} = $1");
                let n = self.count(service, &sql, Some(meeting)).await;
                if n > 0 {
                    left.push(format!("{service}.{table}: {n}"));
                }
            }
        }
        left
    }

    /// Whether every service has the meeting's tombstone and has published all its events.
    async fn drained(&self, meeting: &str) -> bool {
        for (service, _) in &self.0 {
            let unsent = "SELECT COUNT(*) FROM outbox WHERE published_at IS NULL";
            if self.count(service, unsent, None).await > 0 {
                return false;
            }
            let tombstone = "SELECT COUNT(*) FROM deleted_meetings WHERE meeting_id = $1";
            if *service != "meeting" && self.count(service, tombstone, Some(meeting)).await != 1 {
                return false;
            }
        }
        true
    }
}

#[tokio::test]
async fn a_meeting_deleted_while_its_minutes_are_made_leaves_nothing_behind() {
    let app = spawn_app().await;
    let minji = app.register("Kim Minji", "minji@example.com").await;
    let alex = app.register("Alex Park", "alex@example.com").await;
    let sam = app.register("Sam Lee", "sam@example.com").await;
    let id = ended_meeting(&app, &minji, &[&alex, &sam]).await;
    // At once: the pipeline has only just started.
    assert_eq!(delete(&app, &minji, &id).await, 204);

    // Drained: every service heard of the deletion and published everything. Then nothing
    // of the meeting may be left, and nothing may come back for 3 s.
    let dbs = Databases::open(app.data.path()).await;
    eventually("the pipeline to drain", || async {
        dbs.drained(&id).await.then_some(())
    })
    .await;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    let mut quiet = 0;
    while quiet < 15 {
        let left = dbs.rows_left(&id).await;
        if left.is_empty() && dbs.drained(&id).await {
            quiet += 1;
        } else {
            quiet = 0;
            assert!(
                tokio::time::Instant::now() < deadline,
                "still left after the pipeline drained: {left:?}"
            );
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    for person in [&minji, &alex, &sam] {
        let found = traces(&app, person, &id, None, &[]).await;
        assert!(found.is_empty(), "{}: {found:?}", person.name);
    }
    for (_, db) in &dbs.0 {
        db.close().await;
    }
    app.stop().await;
}
