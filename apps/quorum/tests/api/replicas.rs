//! Two replicas of the whole process on the same PostgreSQL databases, RabbitMQ virtual host
//! and Redis prefix: a write through one is not served stale by the other (each keeps an
//! in-process L1 in front of Redis; writes announce their evictions), and with Redis cut
//! away both keep serving reads and writes from the databases and stay ready; a logout through
//! one replica holds on the other, a rate limit holds across both gateways, and a task
//! accepted by one is followed through the other. Runs in the
//! pass on production backends (`QUORUM_TEST_REDIS_URL` and friends).

use std::time::Duration;

use quorum_test_support::proxy::Proxy;
use serde_json::{json, Value};

use crate::helpers::{spawn_with, test_settings, TestApp, User};
use crate::pipeline::eventually;

async fn title_on(app: &TestApp, user: &User, id: &str) -> String {
    let res = app.get(user, &format!("/api/meetings/{id}")).await;
    assert_eq!(res.status(), 200);
    let m: Value = res.json().await.unwrap();
    m["title"].as_str().unwrap().to_string()
}

async fn rename(app: &TestApp, user: &User, id: &str, title: &str) {
    let res = app
        .client
        .put(app.url(&format!("/api/meetings/{id}")))
        .bearer_auth(&user.token)
        .json(&json!({ "title": title }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200, "{}", res.text().await.unwrap());
}

/// Reads on `app` until it shows `title` (an eviction travels over Redis pub/sub: it lands
/// in milliseconds, not at once); returns how many stale reads came first.
async fn until_title(app: &TestApp, user: &User, id: &str, title: &str) -> usize {
    let mut stale = 0;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(2);
    loop {
        if title_on(app, user, id).await == title {
            return stale;
        }
        stale += 1;
        assert!(
            tokio::time::Instant::now() < deadline,
            "still `{}` instead of `{title}` after 2 s",
            title_on(app, user, id).await
        );
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

async fn ready(app: &TestApp) -> bool {
    let res = app
        .client
        .get(app.url("/actuator/health/readiness"))
        .send()
        .await
        .unwrap();
    res.status() == 200
}

#[tokio::test]
async fn a_write_through_one_replica_is_seen_by_the_other_and_redis_can_go_away() {
    let data = tempfile::tempdir().unwrap();
    let mut settings = test_settings(data.path());
    let b = &settings.backends;
    if b.redis_url.is_blank() || b.database_url.is_blank() || b.amqp_url.is_blank() {
        eprintln!("production backends not configured; replica test skipped");
        return;
    }
    let proxy = Proxy::start(settings.backends.redis_url.expose()).await;
    settings.backends.redis_url = proxy.url.clone().into();
    // A small limit on the todo routes, to see it hold across the replicas.
    settings.gateway.rate_limit.groups.insert(
        "todos".into(),
        quorum_gateway::GroupLimits {
            per_minute: 6,
            per_hour: 0,
        },
    );
    let replica_a = spawn_with(settings.clone(), data).await;
    // The second replica shares the first's data directory (recordings) and backends.
    let replica_b = spawn_with(settings, tempfile::tempdir().unwrap()).await;

    let minji = replica_a.register("Kim Minji", "minji@replicas.test").await;
    let alex = replica_a.register("Alex Park", "alex@replicas.test").await;
    let meeting = replica_a.create_meeting(&minji, "Roadmap", &[&alex]).await;
    let id = meeting["id"].as_str().unwrap().to_string();
    // Both replicas now hold the meeting in their L1 (the token works on both: the signing
    // keys live in the identity database).
    assert_eq!(title_on(&replica_a, &minji, &id).await, "Roadmap");
    assert_eq!(title_on(&replica_b, &alex, &id).await, "Roadmap");

    rename(&replica_a, &minji, &id, "Roadmap v2").await;
    let stale = until_title(&replica_b, &alex, &id, "Roadmap v2").await;
    eprintln!("replica b served {stale} stale read(s) after the write on replica a");
    rename(&replica_b, &minji, &id, "Roadmap v3").await;
    until_title(&replica_a, &minji, &id, "Roadmap v3").await;

    // One rate limit across both gateways (GCRA in Redis): 6 a minute in all, not each.
    let mut statuses = Vec::new();
    for i in 0..12 {
        let replica = if i % 2 == 0 { &replica_a } else { &replica_b };
        statuses.push(replica.get(&minji, "/api/todos").await.status().as_u16());
    }
    assert_eq!(
        statuses.iter().filter(|&&s| s == 200).count(),
        6,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|&&s| s == 429).count(),
        6,
        "{statuses:?}"
    );

    // Redis goes away: reads and writes go on from the databases, both replicas stay ready.
    proxy.cut();
    replica_a.wait_for_component("cache", "DOWN").await;
    assert!(ready(&replica_a).await && ready(&replica_b).await);
    rename(&replica_b, &minji, &id, "Roadmap v4").await;
    // Replica a cannot hear evictions now; it dropped its L1 when it lost Redis.
    until_title(&replica_a, &alex, &id, "Roadmap v4").await;
    assert_eq!(title_on(&replica_b, &minji, &id).await, "Roadmap v4");

    proxy.restore();
    replica_b.wait_for_component("cache", "UP").await;
    rename(&replica_a, &minji, &id, "Roadmap v5").await;
    until_title(&replica_b, &alex, &id, "Roadmap v5").await;

    // A long-running request accepted by one replica is followed on the other (task status
    // lives in Redis).
    let res = replica_a
        .post(&minji, &format!("/api/meetings/{id}/start"), json!({}))
        .await;
    assert_eq!(res.status(), 200);
    let notes = "Alex Park: I will send the draft by Friday.\n\
                 Kim Minji: The follow-up meeting is next Tuesday at 2pm.";
    let res = replica_a
        .post(
            &minji,
            &format!("/api/meetings/{id}/end"),
            json!({ "notes": notes }),
        )
        .await;
    assert_eq!(res.status(), 200);
    let transcript: Value = eventually("the transcript", || async {
        let res = replica_b
            .get(&alex, &format!("/api/transcripts?meetingId={id}"))
            .await;
        (res.status() == 200).then_some(res.json().await.unwrap())
    })
    .await;
    eventually("the automatic analysis", || async {
        let res = replica_b
            .get(&alex, &format!("/api/ai/meetings/{id}/analysis"))
            .await;
        (res.status() == 200).then_some(())
    })
    .await;
    let res = replica_a
        .post(
            &alex,
            "/api/ai/schedules",
            json!({"meetingId": id, "transcriptId": transcript["id"]}),
        )
        .await;
    assert_eq!(res.status(), 202);
    let location = res.headers()["location"].to_str().unwrap().to_string();
    let task: Value = eventually("the task, polled through the other replica", || async {
        let res = replica_b.get(&alex, &location).await;
        (res.status() == 200).then_some(res.json().await.unwrap())
    })
    .await;
    assert_eq!(task["status"], "COMPLETED", "{task}");

    // A logout through one replica is refused by the other (revocations live in Redis).
    assert_eq!(replica_b.get(&alex, "/api/users/me").await.status(), 200);
    let res = replica_a
        .client
        .post(replica_a.url("/api/users/logout"))
        .bearer_auth(&alex.token)
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(replica_b.get(&alex, "/api/users/me").await.status(), 401);
    assert_eq!(replica_b.get(&minji, "/api/users/me").await.status(), 200);
    replica_b.stop().await;
    replica_a.stop().await;
}
