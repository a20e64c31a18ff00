//! The distributed mode for real: every service is its own `quorum serve <service>` process
//! (the meeting service twice), a `quorum serve gateway` process in front reaches them over
//! HTTP, and they meet only in PostgreSQL, Redis and RabbitMQ. These tests run in the pass on
//! the production backends (`QUORUM_TEST_POSTGRES_URL`, `QUORUM_TEST_AMQP_URL` and
//! `QUORUM_TEST_REDIS_URL` set, as `scripts/test.sh` does); without them they return at once,
//! since the embedded backends cannot be shared between processes.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use quorum_test_support::mail::MailSink;
use serde_json::{json, Value};

use crate::binary::{self, Server};
use crate::crash::{self, NOTES, TODOS_PER_MEETING};
use crate::helpers::{service_db, TestApp, User};
use crate::pipeline::{english_todos, eventually, run_pipeline};

fn production_backends() -> bool {
    [
        "QUORUM_TEST_POSTGRES_URL",
        "QUORUM_TEST_AMQP_URL",
        "QUORUM_TEST_REDIS_URL",
    ]
    .iter()
    .all(|k| std::env::var(k).is_ok_and(|v| !v.is_empty()))
}

/// One test's processes, sharing a data directory (so the same databases, virtual host and
/// Redis prefix: `helpers::backend_env`).
struct Cluster {
    data: tempfile::TempDir,
    env: Vec<(&'static str, String)>,
    services: Vec<(String, Server)>,
    gateway: Option<Server>,
    sink: MailSink,
}

impl Cluster {
    async fn new() -> Self {
        let sink = MailSink::start(&[]).await;
        let mut env = crash::env(&sink);
        env.extend([
            ("QUORUM_SERVER__SHUTDOWN_GRACE_SECS", "5".to_string()),
            // The load below would exceed the per-user quotas.
            ("QUORUM_GATEWAY__RATE_LIMIT__ENABLED", "false".to_string()),
        ]);
        Self {
            data: tempfile::tempdir().unwrap(),
            env,
            services: Vec::new(),
            gateway: None,
            sink,
        }
    }

    /// `quorum serve <args>`, remembered under `label`.
    async fn serve(&mut self, label: &str, args: &[&str]) {
        let server = self.spawn(args).await;
        self.services.push((label.to_string(), server));
    }

    async fn spawn(&self, args: &[&str]) -> Server {
        let mut argv = vec!["serve"];
        argv.extend_from_slice(args);
        binary::start_args(self.data.path(), &argv, &self.env).await
    }

    fn base(&self, label: &str) -> String {
        self.server(label).base.clone()
    }

    fn server(&self, label: &str) -> &Server {
        &self
            .services
            .iter()
            .find(|(l, _)| l == label)
            .unwrap_or_else(|| panic!("no process `{label}`"))
            .1
    }

    fn take(&mut self, label: &str) -> Server {
        let i = self.services.iter().position(|(l, _)| l == label).unwrap();
        self.services.remove(i).1
    }

    /// The gateway, every service at the process of its name except the meeting service,
    /// whose upstreams (`meeting`, `meeting_read`) are `meeting` → labels of its processes;
    /// given as `QUORUM_GATEWAY__UPSTREAMS__…`.
    async fn start_gateway(&mut self, meeting: &[(&str, &[&str])]) -> TestApp {
        let others: [(&str, &[&str]); 5] = [
            ("identity", &["identity"]),
            ("transcript", &["transcript"]),
            ("ai", &["ai"]),
            ("todo", &["todo"]),
            ("notification", &["notification"]),
        ];
        let keys: Vec<(String, String)> = others
            .iter()
            .chain(meeting)
            .map(|(service, labels)| {
                let urls: Vec<String> = labels.iter().map(|l| self.base(l)).collect();
                (
                    format!(
                        "QUORUM_GATEWAY__UPSTREAMS__{}",
                        service.to_ascii_uppercase()
                    ),
                    urls.join(","),
                )
            })
            .collect();
        let mut env: Vec<(&str, String)> = self
            .env
            .iter()
            .filter(|(k, _)| !keys.iter().any(|(key, _)| key == k))
            .map(|(k, v)| (*k, v.clone()))
            .collect();
        env.extend(keys.iter().map(|(k, v)| (k.as_str(), v.clone())));
        let gateway = binary::start_args(self.data.path(), &["serve", "gateway"], &env).await;
        let app = TestApp::remote(&gateway.base, reqwest::Client::new());
        self.gateway = Some(gateway);
        app
    }

    /// Stops every process with SIGTERM; each must exit cleanly.
    async fn stop(mut self) {
        let mut all: Vec<Server> = self.services.drain(..).map(|(_, s)| s).collect();
        all.extend(self.gateway.take());
        for s in &all {
            s.signal("TERM");
        }
        for s in all {
            let (exit, _) = s.wait().await;
            assert!(exit.success(), "a process did not stop cleanly: {exit}");
        }
    }
}

/// Every service in its own process. Each verifies its callers' tokens against the keys of
/// the identity process (`gateway.upstreams.identity`, as the gateway finds them).
async fn start_every_service(c: &mut Cluster, meeting: &[(&str, &[&str])]) {
    c.serve("identity", &["identity"]).await;
    let identity = c.base("identity");
    c.env
        .push(("QUORUM_GATEWAY__UPSTREAMS__IDENTITY", identity));
    // One at a time: the first creates the databases and queues the others find.
    for (label, args) in meeting {
        c.serve(label, args).await;
    }
    for s in ["transcript", "ai", "todo", "notification"] {
        c.serve(s, &[s]).await;
    }
}

async fn health(app: &TestApp) -> (u16, Value) {
    let res = app
        .client
        .get(app.url("/actuator/health"))
        .send()
        .await
        .unwrap();
    (res.status().as_u16(), res.json().await.unwrap())
}

async fn people(app: &TestApp) -> (User, User, User) {
    (
        app.register("Kim Minji", "minji@example.com").await,
        app.register("Alex Park", "alex@example.com").await,
        app.register("Sam Lee", "sam@example.com").await,
    )
}

/// The meeting service's groups in the read/write test.
const READ_WRITE: &[(&str, &[&str])] = &[
    ("meeting", &["meeting-write"]),
    ("meeting_read", &["meeting-read"]),
];

const WRITERS: usize = 2;

/// Four readers of one meeting and [`WRITERS`] creators of meetings, through the gateway,
/// until [`Load::finish_with_every_read_served`].
struct Load {
    stop: Arc<AtomicBool>,
    readers: Vec<tokio::task::JoinHandle<Vec<u16>>>,
    writers: Vec<tokio::task::JoinHandle<(Vec<String>, Vec<String>)>>,
}

impl Load {
    fn start(app: &Arc<TestApp>, user: User, meeting: &str) -> Self {
        let user = Arc::new(user);
        let stop = Arc::new(AtomicBool::new(false));
        let mut readers = Vec::new();
        for _ in 0..4 {
            let (app, user, stop) = (app.clone(), user.clone(), stop.clone());
            let path = format!("/api/meetings/{meeting}");
            readers.push(tokio::spawn(async move {
                let mut statuses = Vec::new();
                while !stop.load(Ordering::Relaxed) {
                    statuses.push(app.get(&user, &path).await.status().as_u16());
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                statuses
            }));
        }
        let mut writers = Vec::new();
        for w in 0..WRITERS {
            let (app, user, stop) = (app.clone(), user.clone(), stop.clone());
            writers.push(tokio::spawn(async move {
                // Jepsen-style: every create recorded as ok (201), failed (4xx: certainly
                // not stored: the test fails) or unknown (5xx: may or may not be stored).
                let (mut ok, mut unknown) = (Vec::new(), Vec::new());
                let mut n = 0;
                while !stop.load(Ordering::Relaxed) {
                    n += 1;
                    let title = format!("load {w}-{n}");
                    let body = json!({"title": title, "scheduledAt": "2027-02-01T01:00:00Z"});
                    let res = app.post(&user, "/api/meetings", body).await;
                    match res.status().as_u16() {
                        201 => ok.push(title),
                        s if s >= 500 => unknown.push(title),
                        s => panic!("create answered {s}: {}", res.text().await.unwrap()),
                    }
                    tokio::time::sleep(Duration::from_millis(5)).await;
                }
                (ok, unknown)
            }));
        }
        Self {
            stop,
            readers,
            writers,
        }
    }

    /// Stops the load; asserts every read was answered 200; returns the creates' ledger
    /// (ok, unknown).
    async fn finish_with_every_read_served(self) -> (Vec<String>, Vec<String>) {
        self.stop.store(true, Ordering::Relaxed);
        let mut by_status = std::collections::BTreeMap::<u16, usize>::new();
        for r in self.readers {
            for s in r.await.unwrap() {
                *by_status.entry(s).or_default() += 1;
            }
        }
        let reads: usize = by_status.values().sum();
        assert!(reads > 20, "too few reads to mean anything: {by_status:?}");
        assert_eq!(
            by_status.keys().copied().collect::<Vec<_>>(),
            [200],
            "reads must be retried on another replica: {by_status:?}"
        );
        let (mut ok, mut unknown) = (Vec::new(), Vec::new());
        for w in self.writers {
            let (o, u) = w.await.unwrap();
            ok.extend(o);
            unknown.extend(u);
        }
        assert!(!ok.is_empty());
        (ok, unknown)
    }
}

/// Every acknowledged create is stored exactly once, and nothing is stored that was not sent.
async fn check_ledger(c: &Cluster, ok: &[String], unknown: &[String]) {
    let db = service_db(c.data.path(), "meeting").await;
    let stored: Vec<String> =
        quorum_store::sqlx::query_scalar("SELECT title FROM meetings WHERE title LIKE 'load %'")
            .fetch_all(db.reader())
            .await
            .unwrap();
    db.close().await;
    for title in ok {
        let n = stored.iter().filter(|t| *t == title).count();
        assert_eq!(n, 1, "acknowledged create `{title}` stored {n} times");
    }
    for title in &stored {
        assert!(
            ok.contains(title) || unknown.contains(title),
            "`{title}` stored but never sent"
        );
    }
}

#[tokio::test]
async fn every_service_in_its_own_process_runs_the_minutes_pipeline_and_survives_a_replica_kill() {
    if !production_backends() {
        eprintln!("skipped: needs QUORUM_TEST_POSTGRES_URL, _AMQP_URL and _REDIS_URL");
        return;
    }
    let mut c = Cluster::new().await;
    start_every_service(
        &mut c,
        &[("meeting-1", &["meeting"]), ("meeting-2", &["meeting"])],
    )
    .await;
    let app = c
        .start_gateway(&[("meeting", &["meeting-1", "meeting-2"])])
        .await;

    // The gateway's health asks every instance of every service.
    let (status, h) = health(&app).await;
    assert_eq!(status, 200, "{h}");
    for s in [
        "identity",
        "meeting",
        "transcript",
        "ai",
        "todo",
        "notification",
    ] {
        assert_eq!(h["components"][s]["status"], "UP", "{s}: {h}");
    }

    // Seed 000 §4.1 end to end, through RabbitMQ, Redis and PostgreSQL.
    let (minji, alex, sam) = people(&app).await;
    let expected = english_todos(&alex, &sam);
    let id = run_pipeline(
        &app,
        &c.sink,
        &minji,
        &[&alex, &sam],
        NOTES,
        "en",
        &expected,
    )
    .await;

    // Reads and writes keep coming while one meeting replica is killed (SIGKILL).
    let app = Arc::new(app);
    let load = Load::start(&app, minji, &id);
    tokio::time::sleep(Duration::from_millis(700)).await;
    let killed = c.take("meeting-1");
    killed.signal("KILL");
    killed.wait().await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let (ok, unknown) = load.finish_with_every_read_served().await;
    // A create can only be lost in flight on the killed replica (one per writer at most);
    // refused connections are retried on the other.
    assert!(
        unknown.len() <= WRITERS,
        "{} creates failed beyond those in flight at the kill: {unknown:?}",
        unknown.len()
    );
    check_ledger(&c, &ok, &unknown).await;

    // The gateway reports the dead instance.
    let (_, h) = health(&app).await;
    assert_eq!(h["components"]["meeting"]["status"], "UP", "{h}");
    assert!(
        h["components"]["meeting"].to_string().contains("DOWN"),
        "{h}"
    );
    c.stop().await;
}

#[tokio::test]
async fn a_replica_stopped_for_a_rolling_update_fails_no_request() {
    if !production_backends() {
        eprintln!("skipped: needs QUORUM_TEST_POSTGRES_URL, _AMQP_URL and _REDIS_URL");
        return;
    }
    let mut c = Cluster::new().await;
    start_every_service(
        &mut c,
        &[("meeting-1", &["meeting"]), ("meeting-2", &["meeting"])],
    )
    .await;
    let app = c
        .start_gateway(&[("meeting", &["meeting-1", "meeting-2"])])
        .await;
    let minji = app.register("Kim Minji", "minji@example.com").await;
    let id = app.create_meeting(&minji, "Standup", &[]).await["id"]
        .as_str()
        .unwrap()
        .to_string();

    // SIGTERM, as Kubernetes stops a pod: the replica drains and exits; its replacement
    // comes up on a new address while the load goes on.
    let app = Arc::new(app);
    let load = Load::start(&app, minji, &id);
    tokio::time::sleep(Duration::from_millis(700)).await;
    let stopped = c.take("meeting-1");
    stopped.signal("TERM");
    let (exit, _) = stopped.wait().await;
    assert!(exit.success(), "{exit}");
    tokio::time::sleep(Duration::from_secs(1)).await;
    let (ok, unknown) = load.finish_with_every_read_served().await;
    assert!(
        unknown.is_empty(),
        "creates failed during a graceful stop: {unknown:?}"
    );
    check_ledger(&c, &ok, &unknown).await;
    c.stop().await;
}

#[tokio::test]
async fn read_and_write_groups_and_a_consumer_killed_mid_pipeline() {
    if !production_backends() {
        eprintln!("skipped: needs QUORUM_TEST_POSTGRES_URL, _AMQP_URL and _REDIS_URL");
        return;
    }
    let mut c = Cluster::new().await;
    start_every_service(
        &mut c,
        &[
            ("meeting-write", &["meeting", "--role", "write"]),
            ("meeting-read", &["meeting", "--role", "read"]),
        ],
    )
    .await;
    let app = c.start_gateway(READ_WRITE).await;
    let (status, h) = health(&app).await;
    assert_eq!(status, 200, "{h}");
    assert_eq!(h["components"]["meetingRead"]["status"], "UP", "{h}");

    let (minji, alex, sam) = people(&app).await;
    let meeting = app
        .create_meeting(&minji, "Launch sync", &[&alex, &sam])
        .await;
    let id = meeting["id"].as_str().unwrap().to_string();

    // A read instance refuses writes sent to it directly (by a caller it verified itself).
    let res = app
        .client
        .post(format!(
            "{}/api/meetings/{id}/start",
            c.base("meeting-read")
        ))
        .bearer_auth(&minji.token)
        .json(&json!({}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 421);
    let problem: Value = res.json().await.unwrap();
    assert_eq!(problem["code"], "read_only_instance", "{problem}");

    // A write through the write group is read back at once through the read group.
    let res = app
        .post(&minji, &format!("/api/meetings/{id}/start"), json!({}))
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let m: Value = app
        .get(&minji, &format!("/api/meetings/{id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(m["status"], "IN_PROGRESS", "{m}");

    // The todo service is killed as soon as the analysis exists: its consumer is taking the
    // action items (or about to). Restarted, it finishes them, each once.
    let res = app
        .post(
            &minji,
            &format!("/api/meetings/{id}/end"),
            json!({"notes": NOTES}),
        )
        .await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    eventually("the analysis", || async {
        let res = app
            .get(&minji, &format!("/api/ai/meetings/{id}/analysis"))
            .await;
        (res.status() == 200).then_some(())
    })
    .await;
    let todo = c.take("todo");
    todo.signal("KILL");
    todo.wait().await;
    c.serve("todo", &["todo"]).await;
    // The gateway still has the old address: point a new gateway at the new process.
    let old = c.gateway.take().unwrap();
    old.signal("TERM");
    old.wait().await;
    let app = c.start_gateway(READ_WRITE).await;
    eventually("MINUTES_READY with every todo", || async {
        let m: Value = app
            .get(&minji, &format!("/api/meetings/{id}"))
            .await
            .json()
            .await
            .ok()?;
        (m["status"] == "MINUTES_READY" && m["progress"]["total"] == TODOS_PER_MEETING)
            .then_some(())
    })
    .await;
    let todos: Value = app
        .get(&minji, &format!("/api/todos?meetingId={id}"))
        .await
        .json()
        .await
        .unwrap();
    assert_eq!(
        todos["total"], TODOS_PER_MEETING,
        "lost or duplicated: {todos}"
    );
    let db = service_db(c.data.path(), "todo").await;
    let rows: i64 = quorum_store::sqlx::query_scalar("SELECT COUNT(*) FROM todos")
        .fetch_one(db.reader())
        .await
        .unwrap();
    assert_eq!(rows, TODOS_PER_MEETING as i64);
    db.close().await;

    // With the write group gone, reads are still served by the read group; writes are not.
    let writer = c.take("meeting-write");
    writer.signal("KILL");
    writer.wait().await;
    let res = app.get(&minji, &format!("/api/meetings/{id}")).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let res = app
        .post(
            &minji,
            "/api/meetings",
            json!({"title": "x", "scheduledAt": "2027-02-01T01:00:00Z"}),
        )
        .await;
    assert!(res.status().is_server_error(), "{}", res.status());
    c.stop().await;
}

/// What a client that reaches a service's port directly gets, bypassing the gateway: a forged
/// `x-quorum-user-id` is worth nothing (401); a valid token is honoured, as the token's
/// subject; a revoked one is refused by the service as by the gateway; public routes and
/// probes stay open.
#[tokio::test]
async fn a_service_reached_directly_verifies_its_caller_and_ignores_a_forged_header() {
    if !production_backends() {
        eprintln!("skipped: needs QUORUM_TEST_POSTGRES_URL, _AMQP_URL and _REDIS_URL");
        return;
    }
    let mut c = Cluster::new().await;
    start_every_service(&mut c, &[("meeting", &["meeting"])]).await;
    let app = c.start_gateway(&[("meeting", &["meeting"])]).await;
    let (minji, alex, _) = people(&app).await;
    let id = app.create_meeting(&minji, "Board", &[]).await["id"]
        .as_str()
        .unwrap()
        .to_string();
    let meeting = format!("{}/api/meetings/{id}", c.base("meeting"));
    let direct = |url: &str| app.client.get(url);

    // Through the gateway with her token: hers.
    let res = app.get(&minji, &format!("/api/meetings/{id}")).await;
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());

    // Straight to the meeting service, claiming to be her: 401, whatever else comes along.
    for req in [
        direct(&meeting).header("x-quorum-user-id", &minji.id),
        direct(&meeting)
            .header("x-quorum-user-id", &minji.id)
            .bearer_auth("not.a.token"),
    ] {
        let res = req.send().await.unwrap();
        assert_eq!(res.status(), 401);
        assert_eq!(res.headers()["content-type"], "application/problem+json");
        let problem: Value = res.json().await.unwrap();
        assert_eq!(problem["code"], "invalid_token", "{problem}");
    }
    // A write to another service, and identity's own routes, the same.
    let res = app
        .client
        .post(format!("{}/api/todos", c.base("todo")))
        .header("x-quorum-user-id", &minji.id)
        .json(&json!({"title": "forged"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    let me = format!("{}/api/users/me", c.base("identity"));
    let res = direct(&me)
        .header("x-quorum-user-id", &minji.id)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);

    // A valid token sent directly is honoured, as its subject: Alex's token with Minji's id
    // in the header is Alex, who does not take part in her meeting.
    let res = direct(&meeting)
        .bearer_auth(&minji.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    let res = direct(&meeting)
        .bearer_auth(&alex.token)
        .header("x-quorum-user-id", &minji.id)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 404, "{}", res.text().await.unwrap());
    let res = direct(&me).bearer_auth(&alex.token).send().await.unwrap();
    let profile: Value = res.json().await.unwrap();
    assert_eq!(profile["id"], alex.id.as_str(), "{profile}");

    // Public routes and probes need no token, on the services themselves too.
    let res = app
        .client
        .post(format!("{}/api/users/login", c.base("identity")))
        .json(&json!({"email": alex.email, "password": "correct horse battery"}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
    for (service, path) in [
        ("identity", "/.well-known/jwks.json"),
        ("meeting", "/actuator/health/readiness"),
        ("todo", "/actuator/health/liveness"),
    ] {
        let res = direct(&format!("{}{path}", c.base(service)))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200, "{service}{path}");
    }

    // Signed out through the gateway: the service refuses the token too (shared revocations).
    let res = app.post(&minji, "/api/users/logout", json!({})).await;
    assert_eq!(res.status(), 204, "{}", res.text().await.unwrap());
    let res = direct(&meeting)
        .bearer_auth(&minji.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 401);
    c.stop().await;
}
