//! The outbox relay on PostgreSQL; skipped unless `QUORUM_TEST_POSTGRES_URL` is set.

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use quorum_bus::{Broker, Envelope, Outbox};
use quorum_store::{Db, DbOptions};
use tokio_util::sync::CancellationToken;

use crate::helpers::{broker, drain, eventually, within, Flaky};
use crate::outbox::{end_meeting, service_db, topology, EXCHANGE};

/// A fresh, empty database for one test, or `None` when PostgreSQL is not configured.
async fn fresh_pg(tag: &str) -> Option<String> {
    let Ok(url) = std::env::var("QUORUM_TEST_POSTGRES_URL") else {
        eprintln!("QUORUM_TEST_POSTGRES_URL not set; PostgreSQL run skipped");
        return None;
    };
    let admin = Db::connect(&url, &DbOptions::default()).await.unwrap();
    let name = format!("bus_{tag}_{}", uuid::Uuid::new_v4().simple());
    sqlx::query(&format!("CREATE DATABASE {name}"))
        .execute(admin.writer())
        .await
        .unwrap();
    admin.close().await;
    let base = url.rsplit_once('/').map(|(b, _)| b).unwrap_or(&url);
    Some(format!("{base}/{name}"))
}

/// Drops the test database (best effort; `FORCE` closes pools the test left open).
async fn drop_pg(url: &str) {
    let Ok(admin_url) = std::env::var("QUORUM_TEST_POSTGRES_URL") else {
        return;
    };
    let Some((_, name)) = url.rsplit_once('/') else {
        return;
    };
    if let Ok(admin) = Db::connect(&admin_url, &DbOptions::default()).await {
        let _ = sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .execute(admin.writer())
            .await;
        admin.close().await;
    }
}

#[tokio::test]
async fn pg_event_written_while_broker_is_down_is_published_later() {
    let Some(url) = fresh_pg("relay").await else {
        return;
    };
    within(60, async {
        let (_dir, embedded) = broker(&topology()).await;
        let (db, outbox) =
            service_db(Db::connect(&url, &DbOptions::default()).await.unwrap()).await;
        let flaky = Arc::new(Flaky::new(Arc::new(embedded), false));
        let stop = CancellationToken::new();
        let relay = outbox.spawn_relay(flaky.clone(), stop.clone());
        let event = end_meeting(&db, &outbox, EXCHANGE, "m-1", true).await;
        end_meeting(&db, &outbox, EXCHANGE, "m-2", false).await;
        eventually(|| async { flaky.failed.load(std::sync::atomic::Ordering::SeqCst) >= 2 }).await;
        assert_eq!(outbox.pending().await.unwrap(), 1);
        flaky
            .online
            .store(true, std::sync::atomic::Ordering::SeqCst);
        eventually(|| async { outbox.pending().await.unwrap() == 0 }).await;
        assert_eq!(drain(&*flaky, "notify").await, [event.id.to_string()]);
        stop.cancel();
        relay.await.unwrap();
    })
    .await;
    drop_pg(&url).await;
}

#[tokio::test]
async fn pg_two_relays_never_publish_a_row_twice() {
    let Some(url) = fresh_pg("two").await else {
        return;
    };
    within(120, async {
        let (_dir, embedded) = broker(&topology()).await;
        let (db, outbox) =
            service_db(Db::connect(&url, &DbOptions::default()).await.unwrap()).await;
        let mut expected = HashSet::new();
        for batch in 0..4 {
            let mut tx = db.begin().await.unwrap();
            for i in 0..75 {
                let id = format!("m-{batch}-{i}");
                let e = Envelope::new("meeting.ended", "quorum/meeting", Some(id.clone()), 1, &id)
                    .unwrap();
                outbox.enqueue(&mut tx, EXCHANGE, &e).await.unwrap();
                expected.insert(e.id.to_string());
            }
            tx.commit().await.unwrap();
        }
        // Two replicas: separate pools, separate relays, one broker.
        let mut recorder = Flaky::new(Arc::new(embedded), true);
        recorder.pause = Duration::from_millis(1);
        let recorder = Arc::new(recorder);
        let other = Outbox::new(Db::connect(&url, &DbOptions::default()).await.unwrap());
        let stop = CancellationToken::new();
        let a = outbox.spawn_relay(recorder.clone(), stop.clone());
        let b = other.spawn_relay(recorder.clone(), stop.clone());
        eventually(|| async { outbox.pending().await.unwrap() == 0 }).await;
        stop.cancel();
        a.await.unwrap();
        b.await.unwrap();

        let accepted = recorder.accepted();
        let unique: HashSet<String> = accepted.iter().cloned().collect();
        assert_eq!(accepted.len(), expected.len(), "a row was published twice");
        assert_eq!(unique, expected);
        assert_eq!(recorder.queue_depth("notify").await.unwrap(), 300);
    })
    .await;
    drop_pg(&url).await;
}
