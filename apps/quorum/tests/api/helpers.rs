//! `spawn_app()`: the whole all-in-one process on a free port with its own data directory.

use std::time::Duration;

use quorum::{Application, Settings};
use serde_json::{json, Value};
use tokio::sync::oneshot;

pub(crate) struct TestApp {
    pub(crate) base: String,
    pub(crate) client: reqwest::Client,
    pub(crate) data: tempfile::TempDir,
    stop: Option<oneshot::Sender<()>>,
    handle: Option<tokio::task::JoinHandle<anyhow::Result<()>>>,
}

/// The production backends a test runs on, from `QUORUM_TEST_POSTGRES_URL` (one database
/// per service), `QUORUM_TEST_AMQP_URL` (a virtual host of its own, made with
/// `rabbitmqctl`) and `QUORUM_TEST_REDIS_URL` (a key prefix of its own), as
/// `QUORUM_BACKENDS__…` settings. Derived from the data directory, so a
/// restarted process finds the same databases and queues; empty when neither is set (the
/// embedded backends).
pub(crate) fn backend_env(data: &std::path::Path) -> Vec<(&'static str, String)> {
    let tag = format!(
        "{:016x}",
        data.to_string_lossy()
            .bytes()
            .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b))
                .wrapping_mul(0x0100_0000_01b3))
    );
    let mut env = Vec::new();
    if let Some(url) = std::env::var("QUORUM_TEST_POSTGRES_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b);
        env.push((
            "QUORUM_BACKENDS__DATABASE_URL",
            format!("{base}/t_app_{tag}_{{service}}"),
        ));
    }
    if let Some(url) = std::env::var("QUORUM_TEST_AMQP_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        let vhost = format!("t_app_{tag}");
        // An existing vhost (a restarted process) is fine.
        let _ = std::process::Command::new("rabbitmqctl")
            .args(["-q", "add_vhost", &vhost])
            .output();
        let granted = std::process::Command::new("rabbitmqctl")
            .args([
                "-q",
                "set_permissions",
                "-p",
                &vhost,
                "guest",
                ".*",
                ".*",
                ".*",
            ])
            .output()
            .expect("rabbitmqctl makes a virtual host per test (a local RabbitMQ)");
        assert!(
            granted.status.success(),
            "rabbitmqctl set_permissions: {}",
            String::from_utf8_lossy(&granted.stderr)
        );
        let base = url.rsplit_once('/').map_or(url.as_str(), |(b, _)| b);
        env.push(("QUORUM_BACKENDS__AMQP_URL", format!("{base}/{vhost}")));
    }
    if let Some(url) = std::env::var("QUORUM_TEST_REDIS_URL")
        .ok()
        .filter(|u| !u.is_empty())
    {
        env.push(("QUORUM_BACKENDS__REDIS_URL", url));
        env.push(("QUORUM_BACKENDS__REDIS_PREFIX", format!("t_app_{tag}:")));
    }
    env
}

/// A service's database as a test's process uses it: `<data>/<name>.db`, or its PostgreSQL
/// database when [`backend_env`] names one.
#[allow(dead_code)]
pub(crate) async fn service_db(data: &std::path::Path, name: &str) -> quorum_store::Db {
    let options = quorum_store::DbOptions::default();
    let url = backend_env(data)
        .into_iter()
        .find(|(k, _)| *k == "QUORUM_BACKENDS__DATABASE_URL")
        .map(|(_, url)| url.replace("{service}", name));
    match url {
        Some(url) => quorum_store::Db::connect(&url, &options).await.unwrap(),
        None => quorum_store::Db::open_sqlite(&data.join(format!("{name}.db")), &options)
            .await
            .unwrap(),
    }
}

pub(crate) fn test_settings(data: &std::path::Path) -> Settings {
    let mut settings = Settings::default();
    for (key, value) in backend_env(data) {
        match key {
            "QUORUM_BACKENDS__DATABASE_URL" => settings.backends.database_url = value.into(),
            "QUORUM_BACKENDS__AMQP_URL" => settings.backends.amqp_url = value.into(),
            "QUORUM_BACKENDS__REDIS_URL" => settings.backends.redis_url = value.into(),
            _ => settings.backends.redis_prefix = value,
        }
    }
    settings.server.host = "127.0.0.1".into();
    settings.server.port = 0;
    settings.server.shutdown_grace_secs = 5;
    settings.data.dir = data.to_path_buf();
    // Cheap password hashing keeps the suite fast; production uses the OWASP defaults.
    settings.identity.argon2_memory_kib = 1024;
    settings.identity.argon2_iterations = 1;
    settings
}

pub(crate) async fn spawn_app() -> TestApp {
    let data = tempfile::tempdir().unwrap();
    spawn_with(test_settings(data.path()), data).await
}

pub(crate) async fn spawn_with(settings: Settings, data: tempfile::TempDir) -> TestApp {
    let app = Application::build(settings)
        .await
        .expect("application builds");
    let base = format!("http://127.0.0.1:{}", app.port());
    let (tx, rx) = oneshot::channel::<()>();
    let handle = tokio::spawn(app.run_until_stopped(async move {
        let _ = rx.await;
    }));
    TestApp {
        base,
        client: reqwest::Client::new(),
        data,
        stop: Some(tx),
        handle: Some(handle),
    }
}

pub(crate) struct User {
    pub(crate) id: String,
    pub(crate) name: String,
    pub(crate) email: String,
    pub(crate) token: String,
    pub(crate) refresh: String,
}

impl TestApp {
    /// A handle on a server started elsewhere (e.g. the real binary), for the helpers.
    #[allow(dead_code)]
    pub(crate) fn remote(base: &str, client: reqwest::Client) -> TestApp {
        TestApp {
            base: base.to_string(),
            client,
            data: tempfile::tempdir().unwrap(),
            stop: None,
            handle: None,
        }
    }

    pub(crate) fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    /// Waits until `/actuator/health` reports `component` as `status` (`UP`, `DOWN`).
    #[allow(dead_code)]
    pub(crate) async fn wait_for_component(&self, component: &str, status: &str) {
        crate::pipeline::eventually(&format!("{component} to be {status}"), || async {
            let health: Value = self
                .client
                .get(self.url("/actuator/health"))
                .send()
                .await
                .ok()?
                .json()
                .await
                .ok()?;
            (health["components"][component]["status"] == status).then_some(())
        })
        .await;
    }

    /// Stops the process the way SIGTERM does and waits for it to drain.
    pub(crate) async fn stop(mut self) -> tempfile::TempDir {
        if let Some(tx) = self.stop.take() {
            let _ = tx.send(());
        }
        if let Some(h) = self.handle.take() {
            tokio::time::timeout(Duration::from_secs(15), h)
                .await
                .expect("drains within the grace period")
                .unwrap()
                .unwrap();
        }
        std::mem::replace(&mut self.data, tempfile::tempdir().unwrap())
    }

    pub(crate) async fn register(&self, name: &str, email: &str) -> User {
        let res = self
            .client
            .post(self.url("/api/users/register"))
            .json(&json!({"email": email, "password": "correct horse battery", "name": name}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 201, "{}", res.text().await.unwrap());
        let body: Value = res.json().await.unwrap();
        let res = self
            .client
            .post(self.url("/api/users/login"))
            .json(&json!({"email": email, "password": "correct horse battery"}))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        let tokens: Value = res.json().await.unwrap();
        User {
            id: body["id"].as_str().unwrap().to_string(),
            name: name.to_string(),
            email: email.to_string(),
            token: tokens["accessToken"].as_str().unwrap().to_string(),
            refresh: tokens["refreshToken"].as_str().unwrap().to_string(),
        }
    }

    pub(crate) async fn get(&self, user: &User, path: &str) -> reqwest::Response {
        self.client
            .get(self.url(path))
            .bearer_auth(&user.token)
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn post(&self, user: &User, path: &str, body: Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .bearer_auth(&user.token)
            .json(&body)
            .send()
            .await
            .unwrap()
    }

    /// Starts meeting `id` and ends it with `notes`, as its owner (both must succeed).
    pub(crate) async fn hold(&self, owner: &User, id: &str, notes: &str) {
        let res = self
            .post(owner, &format!("/api/meetings/{id}/start"), json!({}))
            .await;
        assert_eq!(res.status(), 200, "start: {}", res.text().await.unwrap());
        let res = self
            .post(
                owner,
                &format!("/api/meetings/{id}/end"),
                json!({ "notes": notes }),
            )
            .await;
        assert_eq!(res.status(), 200, "end: {}", res.text().await.unwrap());
    }

    /// Creates a meeting from `body`, retrying while participants are unknown (see below).
    pub(crate) async fn create_meeting_with(&self, owner: &User, body: &mut Value) -> Value {
        let deadline = tokio::time::Instant::now() + Duration::from_secs(5);
        loop {
            let res = self.post(owner, "/api/meetings", body.clone()).await;
            let status = res.status();
            let value: Value = res.json().await.unwrap();
            if status == 201 {
                return value;
            }
            assert_eq!(status, 422, "{value}");
            assert!(
                tokio::time::Instant::now() < deadline,
                "directory never caught up: {value}"
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Creates a meeting, retrying while the participants' `user.created` events are still on
    /// their way to the meeting service's directory (eventual consistency, bounded to 5 s).
    pub(crate) async fn create_meeting(
        &self,
        owner: &User,
        title: &str,
        participants: &[&User],
    ) -> Value {
        let ids: Vec<&str> = participants.iter().map(|u| u.id.as_str()).collect();
        let mut body = json!({
            "title": title,
            "scheduledAt": "2026-12-01T10:00:00Z",
            "participantIds": ids,
        });
        self.create_meeting_with(owner, &mut body).await
    }
}
