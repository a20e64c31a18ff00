//! The store opens SQLite files (and PostgreSQL when `QUORUM_TEST_POSTGRES_URL` is set), runs
//! migrations once, and accepts the portable SQL dialect the services are written in.

#![allow(clippy::restriction)] // test code: a failed step should stop the test

use quorum_store::{Db, DbOptions, Migration};

const SET: &[Migration] = &[
    Migration::new(
        1,
        "items",
        "CREATE TABLE items (id TEXT PRIMARY KEY, n BIGINT NOT NULL, raw {{blob}});
         CREATE INDEX items_n ON items (n)",
    ),
    Migration::new(
        2,
        "log",
        "CREATE TABLE log (seq {{serial}}, msg TEXT NOT NULL)",
    ),
];

async fn exercise(db: &Db) {
    db.migrate("test", SET).await.unwrap();
    // Second run is a no-op.
    db.migrate("test", SET).await.unwrap();

    let mut tx = db.begin().await.unwrap();
    sqlx::query("INSERT INTO items (id, n, raw) VALUES ($1, $2, $3)")
        .bind("a")
        .bind(42_i64)
        .bind(vec![1_u8, 2, 3])
        .execute(&mut *tx)
        .await
        .unwrap();
    sqlx::query("INSERT INTO log (msg) VALUES ($1)")
        .bind("hello")
        .execute(&mut *tx)
        .await
        .unwrap();
    tx.commit().await.unwrap();

    // Parameters out of order still bind by number.
    let row: (String, i64, Vec<u8>) =
        sqlx::query_as("SELECT id, n, raw FROM items WHERE n = $2 AND id = $1")
            .bind("a")
            .bind(42_i64)
            .fetch_one(db.reader())
            .await
            .unwrap();
    assert_eq!(row, ("a".to_string(), 42, vec![1, 2, 3]));

    let dup = sqlx::query("INSERT INTO items (id, n) VALUES ($1, $2)")
        .bind("a")
        .bind(1_i64)
        .execute(db.writer())
        .await
        .map_err(quorum_store::StoreError::from)
        .unwrap_err();
    assert!(dup.is_unique_violation(), "{dup}");

    let ins = sqlx::query("INSERT INTO items (id, n) VALUES ($1, $2) ON CONFLICT DO NOTHING")
        .bind("a")
        .bind(1_i64)
        .execute(db.writer())
        .await
        .unwrap();
    assert_eq!(ins.rows_affected(), 0);
    db.ping().await.unwrap();
}

#[tokio::test]
async fn sqlite_file_database_migrates_and_round_trips() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_sqlite(&dir.path().join("nested/svc.db"), &DbOptions::default())
        .await
        .unwrap();
    exercise(&db).await;
}

#[tokio::test]
async fn renamed_migration_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let db = Db::open_sqlite(&dir.path().join("svc.db"), &DbOptions::default())
        .await
        .unwrap();
    db.migrate("test", SET).await.unwrap();
    let renamed = [Migration::new(1, "other", "SELECT 1")];
    let err = db.migrate("test", &renamed).await.unwrap_err();
    assert!(err.to_string().contains("other"), "{err}");
}

#[tokio::test]
async fn postgres_database_migrates_and_round_trips() {
    let Ok(url) = std::env::var("QUORUM_TEST_POSTGRES_URL") else {
        eprintln!("QUORUM_TEST_POSTGRES_URL not set; PostgreSQL run skipped");
        return;
    };
    let admin = Db::connect(&url, &DbOptions::default()).await.unwrap();
    let name = format!("store_test_{}", std::process::id());
    sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
        .execute(admin.writer())
        .await
        .unwrap();
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(admin.writer())
        .await
        .unwrap();
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&url);
    let db = Db::connect(&format!("{base}/{name}"), &DbOptions::default())
        .await
        .unwrap();
    exercise(&db).await;
}
