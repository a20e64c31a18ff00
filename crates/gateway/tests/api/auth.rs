use std::sync::atomic::Ordering;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use chrono::Utc;
use quorum_auth::{RevocationList, SigningKey};
use serde_json::Value;
use uuid::Uuid;

use crate::assert_problem;
use crate::helpers::{key_ring, spawn_gateway, AUDIENCE};

async fn assert_unauthorized(res: reqwest::Response) {
    let challenge = res.headers()["www-authenticate"]
        .to_str()
        .unwrap()
        .to_string();
    assert!(challenge.starts_with("Bearer"), "{challenge}");
    assert!(
        challenge.contains(r#"error="invalid_token""#),
        "{challenge}"
    );
    assert_problem(res, 401, "invalid_token").await;
}

#[tokio::test]
async fn public_routes_need_no_token() {
    let app = spawn_gateway().await;
    for path in [
        "/api/users/register",
        "/api/users/login",
        "/api/users/refresh",
    ] {
        let res = app.client.post(app.url(path)).send().await.unwrap();
        assert_eq!(res.status(), 200, "{path}");
        let echo: Value = res.json().await.unwrap();
        assert_eq!(echo["service"], "identity");
    }
    let res = app.get("/.well-known/jwks.json").await;
    assert_eq!(res.status(), 200);
    let jwks: Value = res.json().await.unwrap();
    assert!(!jwks["keys"].as_array().unwrap().is_empty());
    for path in ["/api/openapi.json", "/api/docs/", "/actuator/health"] {
        assert_eq!(app.get(path).await.status(), 200, "{path}");
    }
}

#[tokio::test]
async fn only_the_listed_method_of_a_public_path_is_public() {
    let app = spawn_gateway().await;
    assert_unauthorized(app.get("/api/users/login").await).await;
}

#[tokio::test]
async fn protected_routes_refuse_missing_and_garbage_tokens() {
    let app = spawn_gateway().await;
    assert_unauthorized(app.get("/api/meetings").await).await;
    assert_unauthorized(app.get_as("/api/meetings", "garbage").await).await;
    assert_unauthorized(app.get_as("/api/meetings", "a.b.c").await).await;
    let res = app
        .client
        .get(app.url("/api/meetings"))
        .header("authorization", "Basic dXNlcjpwYXNz")
        .send()
        .await
        .unwrap();
    assert_unauthorized(res).await;
}

#[tokio::test]
async fn a_valid_token_passes_and_the_caller_is_asserted_by_the_gateway() {
    let app = spawn_gateway().await;
    let user = Uuid::now_v7();
    let token = app.token(user);
    let res = app
        .client
        .get(app.url("/api/meetings"))
        .bearer_auth(&token)
        .header("x-quorum-user-id", Uuid::now_v7().to_string())
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let echo: Value = res.json().await.unwrap();
    assert_eq!(echo["headers"]["x-quorum-user-id"], user.to_string());
    assert_eq!(echo["headers"]["authorization"], format!("Bearer {token}"));
}

#[tokio::test]
async fn a_forged_user_header_is_stripped_on_public_routes() {
    let app = spawn_gateway().await;
    let res = app
        .client
        .post(app.url("/api/users/login"))
        .header("x-quorum-user-id", Uuid::now_v7().to_string())
        .send()
        .await
        .unwrap();
    let echo: Value = res.json().await.unwrap();
    assert!(echo["headers"].get("x-quorum-user-id").is_none());
}

#[tokio::test]
async fn expired_tokens_are_refused() {
    let app = spawn_gateway().await;
    let ring = app.ring();
    let (token, _) = ring
        .issue_access_at(Uuid::now_v7(), Utc::now() - chrono::Duration::hours(2))
        .unwrap();
    assert_unauthorized(app.get_as("/api/meetings", &token).await).await;
}

#[tokio::test]
async fn tampered_tokens_are_refused() {
    let app = spawn_gateway().await;
    let token = app.token(Uuid::now_v7());
    let mut parts: Vec<String> = token.split('.').map(str::to_string).collect();
    let mut claims: Value =
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(&parts[1]).unwrap()).unwrap();
    claims["sub"] = Value::String(Uuid::now_v7().to_string());
    parts[1] = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    assert_unauthorized(app.get_as("/api/meetings", &parts.join(".")).await).await;
}

#[tokio::test]
async fn tokens_for_another_audience_are_refused() {
    let app = spawn_gateway().await;
    let same_keys = app.ring().keys();
    let foreign = key_ring("some-other-api", same_keys);
    let (token, _) = foreign.issue_access(Uuid::now_v7()).unwrap();
    assert_unauthorized(app.get_as("/api/meetings", &token).await).await;
}

#[tokio::test]
async fn tokens_minted_to_outlive_an_access_token_are_refused() {
    // What a leaked signing key could mint: the identity service's own key, a century's
    // lifetime.
    let app = spawn_gateway().await;
    let forger = quorum_auth::KeyRing::new(
        quorum_auth::JwtConfig {
            issuer: crate::helpers::ISSUER.into(),
            audience: AUDIENCE.into(),
            access_ttl: std::time::Duration::from_secs(100 * 365 * 86_400),
            refresh_ttl: std::time::Duration::from_secs(86_400),
        },
        app.ring().keys(),
    )
    .unwrap();
    let (token, _) = forger.issue_access(Uuid::now_v7()).unwrap();
    assert_unauthorized(app.get_as("/api/meetings", &token).await).await;
    // The same key within the lifetime is fine.
    assert_eq!(
        app.get_as("/api/meetings", &app.token(Uuid::now_v7()))
            .await
            .status(),
        200
    );
}

#[tokio::test]
async fn tokens_from_an_unknown_key_are_refused() {
    let app = spawn_gateway().await;
    let stranger = key_ring(AUDIENCE, vec![SigningKey::generate(Utc::now()).unwrap()]);
    let (token, _) = stranger.issue_access(Uuid::now_v7()).unwrap();
    assert_unauthorized(app.get_as("/api/meetings", &token).await).await;
}

#[tokio::test]
async fn revoked_tokens_are_refused_at_once() {
    let app = spawn_gateway().await;
    let (token, claims) = app.ring().issue_access(Uuid::now_v7()).unwrap();
    assert_eq!(app.get_as("/api/meetings", &token).await.status(), 200);
    app.revocations
        .revoke(&claims.jti, claims.expires_at())
        .await
        .unwrap();
    assert_unauthorized(app.get_as("/api/meetings", &token).await).await;
}

#[tokio::test]
async fn a_token_signed_by_a_rotated_in_key_verifies_after_a_jwks_refresh() {
    let app = spawn_gateway().await;
    let old = app.token(Uuid::now_v7());
    assert_eq!(app.get_as("/api/meetings", &old).await.status(), 200);
    assert_eq!(
        app.jwks_fetches.load(Ordering::SeqCst),
        1,
        "the jwks is cached"
    );
    assert_eq!(app.get_as("/api/meetings", &old).await.status(), 200);
    assert_eq!(
        app.jwks_fetches.load(Ordering::SeqCst),
        1,
        "the jwks is cached"
    );

    app.rotate_keys();
    let new = app.token(Uuid::now_v7());
    assert_eq!(app.get_as("/api/meetings", &new).await.status(), 200);
    assert_eq!(app.jwks_fetches.load(Ordering::SeqCst), 2);

    // Another unknown kid right away does not refetch (at most one forced refresh per 5 s).
    let stranger = key_ring(AUDIENCE, vec![SigningKey::generate(Utc::now()).unwrap()]);
    let (forged, _) = stranger.issue_access(Uuid::now_v7()).unwrap();
    assert_unauthorized(app.get_as("/api/meetings", &forged).await).await;
    assert_eq!(app.jwks_fetches.load(Ordering::SeqCst), 2);
}
