//! The directory settles on the same state whatever order a user's events arrive in: every
//! permutation of a history is applied to a fresh directory (SQLite, or PostgreSQL when
//! `QUORUM_TEST_POSTGRES_URL` is set).

#![allow(clippy::restriction)] // test code: a failed step should stop the test

use chrono::{TimeZone as _, Utc};
use quorum_bus::Envelope;
use quorum_contracts::events::{USER_CREATED, USER_UPDATED};
use quorum_directory::User;
use quorum_store::Db;
use quorum_test_support::test_db;
use quorum_test_support::users::{changed, deleted};
use uuid::Uuid;

fn at(s: i64) -> chrono::DateTime<Utc> {
    Utc.timestamp_opt(1_767_000_000 + s, 0).single().unwrap()
}

/// Every ordering of `items`.
fn permutations<T: Clone>(items: &[T]) -> Vec<Vec<T>> {
    if items.len() <= 1 {
        return vec![items.to_vec()];
    }
    let mut out = Vec::new();
    for i in 0..items.len() {
        let mut rest = items.to_vec();
        let first = rest.remove(i);
        for mut p in permutations(&rest) {
            p.insert(0, first.clone());
            out.push(p);
        }
    }
    out
}

async fn apply_all(db: &Db, events: &[Envelope]) {
    for e in events {
        let mut tx = db.begin().await.unwrap();
        quorum_directory::apply(&mut tx, e).await.unwrap();
        tx.commit().await.unwrap();
    }
}

async fn lookup(db: &Db, user: Uuid) -> Option<User> {
    let mut conn = db.reader().acquire().await.unwrap();
    quorum_directory::lookup(&mut conn, user).await.unwrap()
}

#[tokio::test]
async fn any_order_of_a_users_events_settles_on_the_latest_change_or_the_deletion() {
    let t = test_db("directory").await;
    quorum_directory::migrate(&t.db).await.unwrap();
    // Run twice: the migration is idempotent.
    quorum_directory::migrate(&t.db).await.unwrap();

    // Created, renamed twice: the newest rename wins in all 6 orders.
    let renamed_history = |user| {
        vec![
            changed(USER_CREATED, user, "First", "first@example.com", at(0)),
            changed(USER_UPDATED, user, "Second", "second@example.com", at(10)),
            changed(USER_UPDATED, user, "Third", "third@example.com", at(20)),
        ]
    };
    for order in permutations(&[0, 1, 2]) {
        let user = Uuid::now_v7();
        let history = renamed_history(user);
        let events: Vec<Envelope> = order.iter().map(|&i| history[i].clone()).collect();
        apply_all(&t.db, &events).await;
        let u = lookup(&t.db, user).await.expect("a live user");
        assert_eq!(
            (u.name.as_str(), u.email.as_str()),
            ("Third", "third@example.com"),
            "order {order:?}"
        );
    }

    // Created, renamed, deleted — and a change stamped after the deletion (a clock skew, or a
    // stale replica): in all 24 orders the user ends deleted, with no name or address kept.
    for order in permutations(&[0, 1, 2, 3]) {
        let user = Uuid::now_v7();
        let history = [
            changed(USER_CREATED, user, "Gone", "gone@example.com", at(0)),
            changed(USER_UPDATED, user, "Renamed", "renamed@example.com", at(10)),
            deleted(user, at(20)),
            changed(USER_UPDATED, user, "Zombie", "zombie@example.com", at(30)),
        ];
        let events: Vec<Envelope> = order.iter().map(|&i| history[i].clone()).collect();
        apply_all(&t.db, &events).await;
        assert_eq!(lookup(&t.db, user).await, None, "order {order:?}");
        let kept: (String, String, i64) =
            sqlx::query_as("SELECT name, email, deleted FROM user_directory WHERE user_id = $1")
                .bind(user.to_string())
                .fetch_one(t.db.reader())
                .await
                .unwrap();
        assert_eq!(kept, (String::new(), String::new(), 1), "order {order:?}");
    }
}

#[tokio::test]
async fn unknown_names_users_never_heard_of_and_deleted_ones() {
    let t = test_db("directory").await;
    quorum_directory::migrate(&t.db).await.unwrap();
    let (live, gone, stranger) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    apply_all(
        &t.db,
        &[
            changed(USER_CREATED, live, "Live", "live@example.com", at(0)),
            changed(USER_CREATED, gone, "Gone", "gone@example.com", at(0)),
            deleted(gone, at(5)),
        ],
    )
    .await;
    let mut conn = t.db.reader().acquire().await.unwrap();
    let unknown = quorum_directory::unknown(&mut conn, &[stranger, live, gone])
        .await
        .unwrap();
    assert_eq!(unknown, [stranger, gone]);
    let found = quorum_directory::lookup(&mut conn, live)
        .await
        .unwrap()
        .unwrap();
    assert_eq!(found.name, "Live");
    assert_eq!(found.locale.as_deref(), Some("en"));
}
