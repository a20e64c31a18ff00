//! Test helpers shared by the integration suites: a fresh database per test (an SQLite file
//! in a temporary directory, or a new PostgreSQL database when `QUORUM_TEST_POSTGRES_URL`
//! is set), so the same suite proves both backends; likewise [`backends`]: the broker, cache,
//! task store and revocation list (embedded, or RabbitMQ and Redis when
//! `QUORUM_TEST_AMQP_URL` and `QUORUM_TEST_REDIS_URL` are set); [`mail::MailSink`], a real
//! SMTP server per test; and [`service`], a harness to serve and call a service and to
//! publish and read its events.

#![allow(clippy::restriction)] // test code: a failed step should stop the test

pub mod audio;
pub mod backends;
pub mod mail;
pub mod proxy;
pub mod service;
pub mod users;

use std::path::{Path, PathBuf};

use quorum_store::{Db, DbOptions};

/// Environment variable naming an admin PostgreSQL URL; when set, tests use PostgreSQL.
pub const POSTGRES_ENV: &str = "QUORUM_TEST_POSTGRES_URL";

/// A database that lives as long as the test.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: Option<tempfile::TempDir>,
}

/// A temporary directory for files a test writes (broker database, recordings).
pub fn temp_dir() -> tempfile::TempDir {
    tempfile::tempdir().expect("temporary directory")
}

/// A fresh, empty database named after `label`.
pub async fn test_db(label: &str) -> TestDb {
    match std::env::var(POSTGRES_ENV) {
        Ok(admin_url) if !admin_url.is_empty() => postgres_db(&admin_url, label).await,
        _ => {
            let dir = temp_dir();
            let path = dir.path().join(format!("{label}.db"));
            let db = Db::open_sqlite(&path, &DbOptions::default())
                .await
                .expect("open sqlite test database");
            TestDb {
                db,
                url: format!("sqlite://{}", path.display()),
                _dir: Some(dir),
            }
        }
    }
}

async fn postgres_db(admin_url: &str, label: &str) -> TestDb {
    let admin = Db::connect(
        admin_url,
        &DbOptions {
            max_connections: 1,
            ..DbOptions::default()
        },
    )
    .await
    .expect("connect to the PostgreSQL admin database");
    let name = format!(
        "t_{}_{}",
        label.replace(|c: char| !c.is_ascii_alphanumeric(), "_"),
        uuid::Uuid::new_v4().simple()
    );
    sqlx_exec(&admin, &format!("CREATE DATABASE {name}")).await;
    admin.close().await;
    let base = admin_url
        .rsplit_once('/')
        .map(|(b, _)| b)
        .unwrap_or(admin_url);
    let url = format!("{base}/{name}");
    let db = Db::connect(&url, &DbOptions::default())
        .await
        .expect("connect to the test database");
    TestDb {
        db,
        url,
        _dir: None,
    }
}

async fn sqlx_exec(db: &Db, sql: &str) {
    quorum_store::sqlx::query(sql)
        .execute(db.writer())
        .await
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
}

/// Path of a file in the workspace root (for fixtures).
pub fn workspace_path(rel: impl AsRef<Path>) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .join(rel)
}
