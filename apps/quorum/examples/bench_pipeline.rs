//! Load driver for `bench/pipeline.sh`: against a running `quorum serve`, ends meetings with
//! notes in which people commit to four tasks, and measures how fast the minutes pipeline
//! (transcript → analysis → todos → notifications and e-mail) finishes them.
//!
//! ```text
//! bench_pipeline BASE_URL DATA_DIR RATE COUNT
//! ```
//! `RATE` meetings ended per second (0 = all at once), `COUNT` meetings. Prints one JSON line:
//! offered and achieved rates, and p50/p95/max of the time from `end` to the meeting's last
//! todo, and to its last in-app notification, read from the services' own databases.

#![allow(clippy::restriction)] // a measuring tool: prints its figures, stops on a failed step

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use quorum_store::{Db, DbOptions};
use serde_json::{json, Value};

const NOTES: &str = "\
Kim Minji: Welcome, everyone. Today we review the launch plan and the budget.
Alex Park: The landing page is almost done. I will send the final draft by Friday.
Sam Lee: The budget spreadsheet needs another pass. I'll update the budget by next Monday.
Kim Minji: Sam, can you book the venue by Thursday?
- [ ] @Alex prepare the demo slides by 1/20
";
const TODOS: i64 = 4;
/// Per meeting: invited ×2 (at creation), ended ×3, transcript ×3, summary ×3, and the four
/// todos for their assignees.
const NOTIFICATIONS: i64 = 15;

struct Client {
    http: reqwest::Client,
    base: String,
}

impl Client {
    async fn post(&self, token: Option<&str>, path: &str, body: Value) -> anyhow::Result<Value> {
        let mut req = self.http.post(format!("{}{path}", self.base)).json(&body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        let res = req.send().await?;
        let status = res.status();
        let value: Value = res.json().await.unwrap_or(Value::Null);
        if !status.is_success() {
            bail!("{path}: {status} {value}");
        }
        Ok(value)
    }

    async fn user(&self, name: &str, email: &str) -> anyhow::Result<(String, String)> {
        let body = json!({"email": email, "password": "correct horse battery", "name": name});
        let user = self.post(None, "/api/users/register", body).await?;
        let login = json!({"email": email, "password": "correct horse battery"});
        let tokens = self.post(None, "/api/users/login", login).await?;
        Ok((
            user["id"].as_str().unwrap_or_default().to_string(),
            tokens["accessToken"]
                .as_str()
                .unwrap_or_default()
                .to_string(),
        ))
    }
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().collect();
    let [_, base, data, rate, count] = args.as_slice() else {
        bail!("usage: bench_pipeline BASE_URL DATA_DIR RATE COUNT");
    };
    let data = PathBuf::from(data);
    let rate: f64 = rate.parse().context("RATE")?;
    let count: usize = count.parse().context("COUNT")?;
    let client = Client {
        http: reqwest::Client::new(),
        base: base.clone(),
    };
    let run = uuid::Uuid::now_v7().simple().to_string();
    let (_, owner) = client
        .user("Kim Minji", &format!("minji-{run}@example.com"))
        .await?;
    let (alex, _) = client
        .user("Alex Park", &format!("alex-{run}@example.com"))
        .await?;
    let (sam, _) = client
        .user("Sam Lee", &format!("sam-{run}@example.com"))
        .await?;

    let mut meetings = Vec::with_capacity(count);
    for i in 0..count {
        let body = json!({"title": format!("Launch sync {i}"), "scheduledAt": "2027-01-13T01:00:00Z",
                          "participantIds": [alex, sam]});
        let mut created = Value::Null;
        for _ in 0..100 {
            match client
                .post(Some(&owner), "/api/meetings", body.clone())
                .await
            {
                Ok(m) => {
                    created = m;
                    break;
                }
                // The directory learns new users asynchronously.
                Err(_) => tokio::time::sleep(Duration::from_millis(50)).await,
            }
        }
        let id = created["id"]
            .as_str()
            .context("meeting created")?
            .to_string();
        client
            .post(
                Some(&owner),
                &format!("/api/meetings/{id}/start"),
                json!({}),
            )
            .await?;
        meetings.push(id);
    }

    let started = Instant::now();
    let gap = if rate > 0.0 {
        Duration::from_secs_f64(1.0 / rate)
    } else {
        Duration::ZERO
    };
    let mut ends = Vec::new();
    for (i, id) in meetings.iter().enumerate() {
        if rate > 0.0 {
            let due = started + gap * i as u32;
            tokio::time::sleep_until(due.into()).await;
        }
        let client = Client {
            http: client.http.clone(),
            base: client.base.clone(),
        };
        let owner = owner.clone();
        let id = id.clone();
        ends.push(tokio::spawn(async move {
            client
                .post(
                    Some(&owner),
                    &format!("/api/meetings/{id}/end"),
                    json!({"notes": NOTES}),
                )
                .await
        }));
    }
    for e in ends {
        e.await??;
    }
    let offered_secs = started.elapsed().as_secs_f64();

    let todo = open(&data, "todo").await?;
    let notification = open(&data, "notification").await?;
    let meeting = open(&data, "meeting").await?;
    let ids = meetings.join("','");
    let want_todos = TODOS * count as i64;
    let want_notes = NOTIFICATIONS * count as i64;
    let deadline = Instant::now() + Duration::from_secs(600);
    loop {
        let todos: i64 = scalar(
            &todo,
            &format!("SELECT COUNT(*) FROM todos WHERE meeting_id IN ('{ids}')"),
        )
        .await?;
        let notes: i64 = scalar(
            &notification,
            &format!(
                "SELECT COUNT(*) FROM notifications n WHERE n.user_id IN \
             (SELECT user_id FROM live_users WHERE email LIKE '%-{run}@example.com')"
            ),
        )
        .await?;
        if todos >= want_todos && notes >= want_notes {
            break;
        }
        if Instant::now() > deadline {
            bail!("not finished after 600 s: {todos}/{want_todos} todos, {notes}/{want_notes} notifications");
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    let total_secs = started.elapsed().as_secs_f64();

    // Per meeting: end (meeting.db) → last todo (todo.db), from the services' own clocks.
    let mut to_todo = Vec::new();
    for id in &meetings {
        let ended: i64 = scalar(
            &meeting,
            &format!("SELECT ended_at FROM meetings WHERE id = '{id}'"),
        )
        .await?;
        let last: i64 = scalar(
            &todo,
            &format!("SELECT MAX(created_at) FROM todos WHERE meeting_id = '{id}'"),
        )
        .await?;
        to_todo.push((last - ended) as f64);
    }
    to_todo.sort_by(f64::total_cmp);
    let pct = |p: f64| to_todo[((to_todo.len() as f64 - 1.0) * p).round() as usize];
    println!(
        "{}",
        json!({
            "meetings": count,
            "offeredRate": if rate > 0.0 { rate } else { count as f64 / offered_secs },
            "processedPerSecond": count as f64 / total_secs,
            "secondsToFinish": total_secs,
            "endToLastTodoMs": {"p50": pct(0.5), "p95": pct(0.95), "max": pct(1.0)},
        })
    );
    Ok(())
}

/// The service's SQLite file in `data`, or its PostgreSQL database when
/// `QUORUM_BACKENDS__DATABASE_URL` (with `{service}`) is set, as for the server.
async fn open(data: &Path, name: &str) -> anyhow::Result<Db> {
    if let Some(url) = std::env::var("QUORUM_BACKENDS__DATABASE_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        let url = url.replace("{service}", name);
        return Ok(Db::connect(
            &url,
            &DbOptions {
                max_connections: 2,
                ..DbOptions::default()
            },
        )
        .await?);
    }
    Ok(Db::open_sqlite(
        &data.join(format!("{name}.db")),
        &DbOptions {
            max_connections: 1,
            ..DbOptions::default()
        },
    )
    .await?)
}

async fn scalar(db: &Db, sql: &str) -> anyhow::Result<i64> {
    let v: Option<i64> = quorum_store::sqlx::query_scalar(sql)
        .fetch_one(db.reader())
        .await?;
    Ok(v.unwrap_or(0))
}
