use futures::future::join_all;
use quorum_gateway::GroupLimits;
use uuid::Uuid;

use crate::assert_problem;
use crate::helpers::spawn_gateway_with;

#[tokio::test]
async fn concurrent_requests_over_the_limit_get_429_with_retry_after() {
    const LIMIT: u32 = 3;
    let app = spawn_gateway_with(|s| {
        s.rate_limit
            .groups
            .insert("users".into(), GroupLimits::new(LIMIT, 1_000));
    })
    .await;
    let requests = (0..12).map(|_| app.client.post(app.url("/api/users/login")).send());
    let responses: Vec<reqwest::Response> = join_all(requests)
        .await
        .into_iter()
        .map(Result::unwrap)
        .collect();

    let (ok, refused): (Vec<_>, Vec<_>) = responses.into_iter().partition(|r| r.status() == 200);
    assert_eq!(ok.len(), LIMIT as usize);
    assert_eq!(refused.len(), 12 - LIMIT as usize);
    for res in &ok {
        assert_eq!(res.headers()["ratelimit-limit"], "3");
        assert!(res.headers().contains_key("ratelimit-remaining"));
        assert!(res.headers().contains_key("ratelimit-reset"));
    }
    for res in refused {
        let retry: u64 = res.headers()["retry-after"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!((1..=60).contains(&retry), "retry-after {retry}");
        assert_eq!(res.headers()["ratelimit-limit"], "3");
        assert_eq!(res.headers()["ratelimit-remaining"], "0");
        let reset: u64 = res.headers()["ratelimit-reset"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap();
        assert!(reset >= 1);
        assert_problem(res, 429, "rate_limited").await;
    }
}

#[tokio::test]
async fn authenticated_callers_have_their_own_budget_per_group() {
    let app = spawn_gateway_with(|s| {
        s.rate_limit
            .groups
            .insert("meetings".into(), GroupLimits::new(2, 1_000));
    })
    .await;
    let alice = app.token(Uuid::now_v7());
    let bob = app.token(Uuid::now_v7());
    for _ in 0..2 {
        assert_eq!(app.get_as("/api/meetings", &alice).await.status(), 200);
    }
    let res = app.get_as("/api/meetings", &alice).await;
    assert_eq!(res.status(), 429);
    // Bob is not affected by Alice, nor Alice's other groups by her meetings budget.
    let res = app.get_as("/api/meetings", &bob).await;
    assert_eq!(res.status(), 200);
    assert_eq!(res.headers()["ratelimit-remaining"], "1");
    assert_eq!(app.get_as("/api/todos", &alice).await.status(), 200);
}

#[tokio::test]
async fn rate_limits_can_be_switched_off() {
    let app = spawn_gateway_with(|s| {
        s.rate_limit.enabled = false;
        s.rate_limit
            .groups
            .insert("users".into(), GroupLimits::new(1, 1));
    })
    .await;
    for _ in 0..3 {
        let res = app
            .client
            .post(app.url("/api/users/login"))
            .send()
            .await
            .unwrap();
        assert_eq!(res.status(), 200);
        assert!(!res.headers().contains_key("ratelimit-limit"));
    }
}
