//! `spawn_app()`: the service on a random port with a fresh database (SQLite in a temporary
//! directory, or PostgreSQL when `QUORUM_TEST_POSTGRES_URL` is set), a broker, cache and
//! revocation list from `quorum_test_support::backends` (embedded, or RabbitMQ and Redis).

use std::sync::Arc;
use std::time::Duration;

use quorum_auth::{RevocationList, Verifier};
use quorum_bus::{Broker, Envelope, QueueSpec};
use quorum_identity::{build, Deps, Identity, Settings};
use quorum_test_support::service::{self, Served};
use quorum_test_support::{backends, test_db, TestDb};
use serde_json::{json, Value};
use tokio_util::sync::CancellationToken;

/// A queue receiving every `user.*` event, and one for `auth.*`.
pub(crate) const USER_QUEUE: &str = "test.identity.users";
pub(crate) const AUTH_QUEUE: &str = "test.identity.auth";
/// The password `signed_in` registers with (hard enough to guess for the strength check).
pub(crate) const PASSWORD: &str = "correct horse battery staple";

/// The served app (`base`, `client`, `url` through `Deref`) and what it was built with.
pub(crate) struct TestApp {
    served: Served,
    pub(crate) broker: Arc<dyn Broker>,
    pub(crate) revocations: Arc<dyn RevocationList>,
    pub(crate) identity: Identity,
    pub(crate) db: TestDb,
    _dir: tempfile::TempDir,
}

impl std::ops::Deref for TestApp {
    type Target = Served;
    fn deref(&self) -> &Served {
        &self.served
    }
}

pub(crate) fn test_settings() -> Settings {
    Settings {
        argon2_memory_kib: 64,
        argon2_iterations: 1,
        ..Settings::default()
    }
}

pub(crate) async fn spawn_app() -> TestApp {
    spawn_app_with(test_settings()).await
}

pub(crate) async fn spawn_app_with(settings: Settings) -> TestApp {
    let dir = tempfile::tempdir().unwrap();
    let db = test_db("identity").await;
    let topology = Identity::topology()
        .queue(QueueSpec::new(USER_QUEUE))
        .bind(USER_QUEUE, quorum_contracts::exchanges::USER, "user.*")
        .queue(QueueSpec::new(AUTH_QUEUE))
        .bind(AUTH_QUEUE, quorum_contracts::exchanges::USER, "auth.*");
    let broker = backends::broker(dir.path(), &topology).await;
    let revocations = backends::revocations();
    let deps = Deps {
        db: db.db.clone(),
        broker: broker.clone(),
        cache: backends::cache(1_000),
        revocations: revocations.clone(),
    };
    let identity = build(settings, deps).await.unwrap();
    let shutdown = CancellationToken::new();
    identity.spawn_background(broker.clone(), shutdown.clone());
    TestApp {
        served: service::serve(identity.router(), shutdown).await,
        broker,
        revocations,
        identity,
        db,
        _dir: dir,
    }
}

impl TestApp {
    pub(crate) async fn post(&self, path: &str, body: &Value) -> reqwest::Response {
        self.client
            .post(self.url(path))
            .json(body)
            .send()
            .await
            .unwrap()
    }

    pub(crate) async fn register(
        &self,
        email: &str,
        password: &str,
        name: &str,
    ) -> reqwest::Response {
        let body = json!({"email": email, "password": password, "name": name});
        self.post("/api/users/register", &body).await
    }

    pub(crate) async fn login(&self, email: &str, password: &str) -> reqwest::Response {
        self.post(
            "/api/users/login",
            &json!({"email": email, "password": password}),
        )
        .await
    }

    /// Registers `email` and signs in; returns (user id, token pair).
    pub(crate) async fn signed_in(&self, email: &str) -> (String, Value) {
        let res = self.register(email, PASSWORD, "Ann Lee").await;
        assert_eq!(res.status(), 201);
        let id = res.json::<Value>().await.unwrap()["id"]
            .as_str()
            .unwrap()
            .to_owned();
        let res = self.login(email, PASSWORD).await;
        assert_eq!(res.status(), 200);
        (id, res.json().await.unwrap())
    }

    /// A request as the gateway forwards it: bearer token plus the verified user id.
    pub(crate) fn authed(
        &self,
        method: reqwest::Method,
        path: &str,
        user: &str,
        tokens: &Value,
    ) -> reqwest::RequestBuilder {
        let access = tokens["accessToken"].as_str().unwrap();
        self.client
            .request(method, self.url(path))
            .bearer_auth(access)
            .header(quorum_web::USER_HEADER, user)
    }

    /// A verifier built from the served JWKS.
    pub(crate) async fn verifier(&self) -> Verifier {
        let jwks: quorum_auth::Jwks = self
            .client
            .get(self.url("/.well-known/jwks.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        Verifier::new(
            &jwks,
            "quorum",
            "quorum-api",
            std::time::Duration::from_secs(900),
        )
        .unwrap()
    }

    pub(crate) async fn is_revoked(&self, jti: &str) -> bool {
        self.revocations.is_revoked(jti).await.unwrap()
    }

    /// Whether the access token of `tokens` is refused: by its id or with its session.
    pub(crate) async fn is_refused(&self, tokens: &Value) -> bool {
        let claims = self
            .verifier()
            .await
            .verify(tokens["accessToken"].as_str().unwrap())
            .unwrap();
        quorum_auth::is_revoked(self.revocations.as_ref(), &claims)
            .await
            .unwrap()
    }

    /// Another instance of the service on the same database and backends (a replica).
    pub(crate) async fn replica(&self, settings: Settings) -> Served {
        let deps = Deps {
            db: self.db.db.clone(),
            broker: self.broker.clone(),
            cache: backends::cache(1_000),
            revocations: self.revocations.clone(),
        };
        let identity = build(settings, deps).await.unwrap();
        service::serve(identity.router(), CancellationToken::new()).await
    }

    /// The next event of `kind` on `queue` (others are acknowledged and skipped).
    pub(crate) async fn next_event(&self, queue: &str, kind: &str) -> Envelope {
        let mut consumer = self.broker.consume(queue, 10).await.unwrap();
        let wait = async {
            loop {
                let delivery = consumer.next().await.expect("consumer open").unwrap();
                let envelope = Envelope::from_bytes(&delivery.message().body).unwrap();
                delivery.ack().await.unwrap();
                if envelope.kind == kind {
                    return envelope;
                }
            }
        };
        tokio::time::timeout(Duration::from_secs(10), wait)
            .await
            .unwrap_or_else(|_| panic!("no `{kind}` event on {queue} within 10 s"))
    }
}

/// Asserts a problem+json response with `status` and `code`; returns its body.
pub(crate) async fn assert_problem(res: reqwest::Response, status: u16, code: &str) -> Value {
    assert_eq!(res.status(), status);
    let ct = res.headers()["content-type"].to_str().unwrap().to_owned();
    assert_eq!(ct, "application/problem+json");
    let body: Value = res.json().await.unwrap();
    assert_eq!(body["code"], code, "{body}");
    body
}
