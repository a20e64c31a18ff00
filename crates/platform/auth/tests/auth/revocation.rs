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
