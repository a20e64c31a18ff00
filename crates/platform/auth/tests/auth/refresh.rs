use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use quorum_auth::{generate_refresh_token, hash_refresh_token};

#[test]
fn refresh_tokens_are_random_and_hashed() {
    let (a, hash_a) = generate_refresh_token();
    let (b, _) = generate_refresh_token();
    assert_ne!(a, b);
    assert_eq!(URL_SAFE_NO_PAD.decode(&a).unwrap().len(), 32);
    assert_eq!(hash_a, hash_refresh_token(&a));
    assert_eq!(hash_a.len(), 64);
    assert!(hash_a
        .chars()
        .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
    assert_eq!(
        hash_refresh_token("abc"),
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    );
}
