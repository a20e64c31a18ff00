//! Tombstones of deleted meetings (SQLite, or PostgreSQL when `QUORUM_TEST_POSTGRES_URL` is
//! set): a deletion is recorded once, and it waits for a transaction that is creating data
//! for the meeting, so it sees (and can delete) what that transaction wrote.

#![allow(clippy::restriction)] // test code: a failed step should stop the test

use std::time::Duration;

use quorum_service::deleted_meetings::{is_deleted, record, TABLE};
use quorum_store::{sqlx, Db, Migration};
use quorum_test_support::test_db;
use uuid::Uuid;

const MIGRATIONS: &[Migration] = &[
    Migration::new(1, "deleted_meetings", TABLE),
    Migration::new(
        2,
        "things",
        "CREATE TABLE things (meeting_id TEXT NOT NULL, n BIGINT NOT NULL)",
    ),
];

async fn things(db: &Db, meeting: Uuid) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM things WHERE meeting_id = $1")
        .bind(meeting.to_string())
        .fetch_one(db.reader())
        .await
        .unwrap()
}

#[tokio::test]
async fn a_deletion_is_recorded_once_and_seen_by_creators() {
    let t = test_db("tombstones").await;
    t.db.migrate("test", MIGRATIONS).await.unwrap();
    let (gone, kept) = (Uuid::now_v7(), Uuid::now_v7());

    let mut tx = t.db.begin().await.unwrap();
    assert!(record(&mut tx, gone, 1).await.unwrap());
    tx.commit().await.unwrap();
    let mut tx = t.db.begin().await.unwrap();
    assert!(!record(&mut tx, gone, 2).await.unwrap(), "recorded before");
    assert!(is_deleted(&mut tx, gone).await.unwrap());
    assert!(!is_deleted(&mut tx, kept).await.unwrap());
    tx.commit().await.unwrap();
}

#[tokio::test]
async fn a_deletion_waits_for_a_creator_and_then_sees_its_rows() {
    let t = test_db("tombstones").await;
    t.db.migrate("test", MIGRATIONS).await.unwrap();
    let meeting = Uuid::now_v7();

    // A creator checked (not deleted) and wrote, but has not committed yet.
    let mut creator = t.db.begin().await.unwrap();
    assert!(!is_deleted(&mut creator, meeting).await.unwrap());
    sqlx::query("INSERT INTO things (meeting_id, n) VALUES ($1, 1)")
        .bind(meeting.to_string())
        .execute(&mut *creator)
        .await
        .unwrap();

    // The deletion starts meanwhile: it records the tombstone and deletes the rows.
    let db = t.db.clone();
    let deletion = tokio::spawn(async move {
        let mut tx = db.begin().await.unwrap();
        record(&mut tx, meeting, 1).await.unwrap();
        sqlx::query("DELETE FROM things WHERE meeting_id = $1")
            .bind(meeting.to_string())
            .execute(&mut *tx)
            .await
            .unwrap();
        tx.commit().await.unwrap();
    });
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert!(
        !deletion.is_finished(),
        "the deletion waits for the creator's transaction"
    );
    creator.commit().await.unwrap();
    tokio::time::timeout(Duration::from_secs(10), deletion)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(things(&t.db, meeting).await, 0, "the creator's row is gone");

    // A creator that comes after the deletion sees the tombstone.
    let mut late = t.db.begin().await.unwrap();
    assert!(is_deleted(&mut late, meeting).await.unwrap());
    late.rollback().await.unwrap();
}
