use std::time::Duration;

use quorum_auth::{AuthError, KeyRing, SigningKey};
use uuid::Uuid;

use crate::{at, config};

fn kids(ring: &KeyRing, offset: i64) -> Vec<String> {
    ring.jwks_at(at(offset))
        .keys
        .into_iter()
        .map(|k| k.kid)
        .collect()
}

fn kid_of(token: &str) -> String {
    jsonwebtoken::decode_header(token).unwrap().kid.unwrap()
}

#[test]
fn new_key_is_published_for_the_lead_time_before_it_signs() {
    let old = SigningKey::generate(at(-86_400)).unwrap();
    let ring = KeyRing::new(config(), vec![old.clone()])
        .unwrap()
        .with_rotation_lead(Duration::from_secs(3600));
    let changed = ring.rotate(at(0)).unwrap();
    let new = changed[0].clone();
    assert_ne!(new.kid, old.kid);

    // Pending: published, not signing.
    assert_eq!(kids(&ring, 1), vec![old.kid.clone(), new.kid.clone()]);
    let (token, _) = ring.issue_access_at(Uuid::now_v7(), at(1)).unwrap();
    assert_eq!(kid_of(&token), old.kid);
    assert_eq!(
        kid_of(&ring.issue_access_at(Uuid::now_v7(), at(3599)).unwrap().0),
        old.kid
    );

    // After the lead time the new key signs.
    assert_eq!(
        kid_of(&ring.issue_access_at(Uuid::now_v7(), at(3601)).unwrap().0),
        new.kid
    );
}

#[test]
fn rotate_is_idempotent_while_a_key_is_pending() {
    let (ring, _) = crate::ring();
    let first = ring.rotate(at(0)).unwrap();
    let second = ring.rotate(at(10)).unwrap();
    assert_eq!(second.len(), 1);
    assert_eq!(first[0].kid, second[0].kid);
    assert_eq!(ring.keys().len(), 2);
}

#[test]
fn token_of_the_previous_key_verifies_after_rotation_until_it_expires() {
    let (ring, old) = crate::ring();
    let ring = ring.with_rotation_lead(Duration::ZERO);
    let (old_token, _) = ring.issue_access(Uuid::now_v7()).unwrap();
    let rotated = ring.rotate(at(-1)).unwrap();
    let (new_token, _) = ring.issue_access(Uuid::now_v7()).unwrap();
    assert_eq!(kid_of(&old_token), old.kid);
    assert_eq!(kid_of(&new_token), rotated[0].kid);

    let verifier = ring.verifier().unwrap();
    verifier.verify(&old_token).unwrap();
    verifier.verify(&new_token).unwrap();

    // The old key stays published for access_ttl (+ leeway) after retirement, then goes.
    assert!(kids(&ring, 900).contains(&old.kid));
    assert!(!kids(&ring, 910).contains(&old.kid));
    assert_eq!(ring.prune(at(910)), vec![old.kid]);
    let err = ring.verifier().unwrap().verify(&old_token).unwrap_err();
    assert!(matches!(err, AuthError::UnknownKey(_)), "{err:?}");
}

#[test]
fn a_ring_needs_a_key_and_an_active_one_to_sign() {
    assert!(matches!(
        KeyRing::new(config(), vec![]),
        Err(AuthError::Key(_))
    ));
    let future = SigningKey::generate(at(3600)).unwrap();
    let ring = KeyRing::new(config(), vec![future]).unwrap();
    assert!(matches!(
        ring.issue_access(Uuid::now_v7()),
        Err(AuthError::Key(_))
    ));
    assert_eq!(ring.jwks().keys.len(), 1);
}
