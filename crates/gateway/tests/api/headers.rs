//! Security headers on every answer: the gateway's own, the services' and its problems.

use uuid::Uuid;

use crate::helpers::spawn_gateway;

#[tokio::test]
async fn every_answer_carries_the_security_headers_and_api_answers_are_not_cached() {
    let app = spawn_gateway().await;
    let token = app.token(Uuid::now_v7());
    let proxied = app.get_as("/api/meetings/42", &token).await;
    let refused = app.get("/api/meetings/42").await;
    let missing = app.get("/nowhere").await;
    let health = app.get("/actuator/health").await;
    for res in [&proxied, &refused, &missing, &health] {
        let headers = res.headers();
        assert_eq!(
            headers["x-content-type-options"],
            "nosniff",
            "{}",
            res.url()
        );
        assert_eq!(headers["x-frame-options"], "DENY", "{}", res.url());
        assert_eq!(headers["referrer-policy"], "no-referrer", "{}", res.url());
        assert_eq!(headers["cache-control"], "no-store", "{}", res.url());
    }
    assert_eq!(proxied.status(), 200);
    assert_eq!(refused.status(), 401);

    // The documentation's files may be cached; their headers are still there.
    let docs = app.get("/api/docs/").await;
    assert_eq!(docs.status(), 200);
    assert!(docs
        .headers()
        .get("cache-control")
        .is_none_or(|v| v != "no-store"));
    assert_eq!(docs.headers()["x-content-type-options"], "nosniff");
}
