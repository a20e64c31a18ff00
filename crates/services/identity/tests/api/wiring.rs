//! JWKS, events through the outbox, OpenAPI and key persistence.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use quorum_identity::{build, Deps, Identity};
use quorum_test_support::backends;
use serde_json::Value;

use crate::helpers::{spawn_app, test_settings, USER_QUEUE};

#[tokio::test]
async fn jwks_lists_the_signing_key() {
    let app = spawn_app().await;
    let (_, tokens) = app.signed_in("ann@example.com").await;
    let res = app
        .client
        .get(app.url("/.well-known/jwks.json"))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let jwks: Value = res.json().await.unwrap();
    let keys = jwks["keys"].as_array().unwrap();
    assert_eq!(keys.len(), 1);
    assert_eq!(keys[0]["kty"], "OKP");
    assert_eq!(keys[0]["crv"], "Ed25519");
    assert_eq!(keys[0]["alg"], "EdDSA");
    assert_eq!(keys[0]["use"], "sig");
    assert!(keys[0].get("d").is_none(), "no private material");
    let access = tokens["accessToken"].as_str().unwrap();
    let header = access.split('.').next().unwrap();
    let header: Value = serde_json::from_slice(&URL_SAFE_NO_PAD.decode(header).unwrap()).unwrap();
    assert_eq!(keys[0]["kid"], header["kid"]);
    assert_eq!(header["typ"], "at+jwt");
    assert_eq!(app.identity.jwks().keys[0].kid, keys[0]["kid"]);
}

#[tokio::test]
async fn user_events_reach_the_broker() {
    let app = spawn_app().await;
    let (id, tokens) = app.signed_in("ann@example.com").await;
    let created = app.next_event(USER_QUEUE, "user.created").await;
    assert_eq!(created.source, "quorum/identity");
    assert_eq!(created.subject.as_deref(), Some(id.as_str()));
    let data: quorum_contracts::events::UserChanged = created.data_as().unwrap();
    assert_eq!(
        (data.user_id.to_string(), data.email.as_str()),
        (id.clone(), "ann@example.com")
    );

    let put = app.authed(reqwest::Method::PUT, "/api/users/me", &id, &tokens);
    assert_eq!(
        put.json(&serde_json::json!({"name": "Ann Kim"}))
            .send()
            .await
            .unwrap()
            .status(),
        200
    );
    let updated = app.next_event(USER_QUEUE, "user.updated").await;
    assert_eq!(
        updated
            .data_as::<quorum_contracts::events::UserChanged>()
            .unwrap()
            .name,
        "Ann Kim"
    );

    let del = app.authed(reqwest::Method::DELETE, "/api/users/me", &id, &tokens);
    assert_eq!(del.send().await.unwrap().status(), 204);
    let deleted = app.next_event(USER_QUEUE, "user.deleted").await;
    assert_eq!(
        deleted
            .data_as::<quorum_contracts::events::UserDeleted>()
            .unwrap()
            .user_id
            .to_string(),
        id
    );
}

#[tokio::test]
async fn signing_keys_survive_a_restart() {
    let app = spawn_app().await;
    let (_, tokens) = app.signed_in("ann@example.com").await;
    let deps = Deps {
        db: app.db.db.clone(),
        broker: app.broker.clone(),
        cache: backends::cache(10),
        revocations: app.revocations.clone(),
    };
    let restarted = build(test_settings(), deps).await.unwrap();
    assert_eq!(restarted.jwks(), app.identity.jwks());
    let verifier = quorum_auth::Verifier::new(
        &restarted.jwks(),
        "quorum",
        "quorum-api",
        std::time::Duration::from_secs(900),
    )
    .unwrap();
    verifier
        .verify(tokens["accessToken"].as_str().unwrap())
        .unwrap();
}

#[test]
fn openapi_documents_every_route() {
    let doc = serde_json::to_value(Identity::openapi()).unwrap();
    let paths = doc["paths"].as_object().unwrap();
    let expected = [
        ("/api/users/register", "post"),
        ("/api/users/login", "post"),
        ("/api/users/refresh", "post"),
        ("/api/users/logout", "post"),
        ("/api/users/me", "get"),
        ("/api/users/me", "put"),
        ("/api/users/me", "delete"),
        ("/api/users/{id}", "get"),
        ("/api/users/lookup", "get"),
        ("/.well-known/jwks.json", "get"),
    ];
    for (path, method) in expected {
        assert!(
            paths.get(path).and_then(|p| p.get(method)).is_some(),
            "{method} {path}"
        );
    }
    let schemas = doc["components"]["schemas"].as_object().unwrap();
    for name in ["TokenPair", "UserView", "RegisterBody", "Problem"] {
        assert!(schemas.contains_key(name), "{name}");
    }
    assert_eq!(
        Identity::topology().exchanges,
        vec!["user.events".to_string()]
    );
}
