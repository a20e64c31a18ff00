use std::time::Duration;

use quorum_auth::{AuthError, MemoryRevocationList, RevocationList};
use uuid::Uuid;

use crate::{at, ring};

#[tokio::test]
async fn revoked_until_the_token_expires() {
    let list = MemoryRevocationList::new();
    list.revoke("a", at(2)).await.unwrap();
    list.revoke("b", at(600)).await.unwrap();
    assert!(list.is_revoked("a").await.unwrap());
    assert!(list.is_revoked("b").await.unwrap());
    assert!(!list.is_revoked("c").await.unwrap());
    tokio::time::sleep(Duration::from_millis(2100)).await;
    assert!(!list.is_revoked("a").await.unwrap());
    assert!(list.is_revoked("b").await.unwrap());
}

#[tokio::test]
async fn revoking_an_expired_token_is_a_no_op() {
    let list = MemoryRevocationList::new();
    list.revoke("old", at(-5)).await.unwrap();
    assert!(!list.is_revoked("old").await.unwrap());
}

#[tokio::test]
async fn verify_not_revoked_refuses_a_revoked_token() {
    let (ring, _) = ring();
    let list = MemoryRevocationList::default();
    let (token, claims) = ring.issue_access(Uuid::now_v7()).unwrap();
    let verifier = ring.verifier().unwrap();
    verifier.verify_not_revoked(&token, &list).await.unwrap();
    list.revoke(&claims.jti, claims.expires_at()).await.unwrap();
    let err = verifier
        .verify_not_revoked(&token, &list)
        .await
        .unwrap_err();
    assert!(matches!(err, AuthError::Revoked), "{err:?}");
}

#[tokio::test]
async fn revoking_a_session_refuses_every_token_of_it_and_no_other() {
    let (ring, _) = ring();
    let list = MemoryRevocationList::default();
    let user = Uuid::now_v7();
    let (first, _) = ring.issue_session_access(user, "family-a").unwrap();
    let (second, _) = ring.issue_session_access(user, "family-a").unwrap();
    let (other, _) = ring.issue_session_access(user, "family-b").unwrap();
    let verifier = ring.verifier().unwrap();
    list.revoke(&quorum_auth::session_key("family-a"), at(900))
        .await
        .unwrap();
    for token in [&first, &second] {
        let err = verifier.verify_not_revoked(token, &list).await.unwrap_err();
        assert!(matches!(err, AuthError::Revoked), "{err:?}");
    }
    verifier.verify_not_revoked(&other, &list).await.unwrap();
}

#[tokio::test]
async fn a_shared_list_refuses_on_every_replica_and_survives_losing_its_store() {
    use std::sync::Arc;

    use quorum_auth::SharedRevocationList;
    use quorum_cache::{CacheStore, MemoryStore, ToggleStore};

    let store = Arc::new(ToggleStore::new(Arc::new(MemoryStore::new(100))));
    let shared: Arc<dyn CacheStore> = store.clone();
    let (a, b) = (
        SharedRevocationList::new(shared.clone()),
        SharedRevocationList::new(shared),
    );
    a.revoke("logged-out", at(600)).await.unwrap();
    assert!(
        b.is_revoked("logged-out").await.unwrap(),
        "seen by the other replica"
    );
    assert!(!b.is_revoked("other").await.unwrap());
    a.revoke("stale", at(-5)).await.unwrap();
    assert!(
        !b.is_revoked("stale").await.unwrap(),
        "an expired token needs no entry"
    );

    // The store goes away: no error reaches the caller; each replica keeps its own logouts.
    store.set_available(false);
    b.revoke("during-outage", at(600)).await.unwrap();
    assert!(b.is_revoked("during-outage").await.unwrap());
    assert!(
        !a.is_revoked("during-outage").await.unwrap(),
        "not shared while down"
    );
    assert!(
        a.is_revoked("logged-out").await.unwrap(),
        "revoked here, kept locally"
    );
    store.set_available(true);
    assert!(a.is_revoked("logged-out").await.unwrap());
}
