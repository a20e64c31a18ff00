use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use quorum_auth::{AccessClaims, AuthError, SigningKey, Verifier};
use uuid::Uuid;

use crate::{at, config, ring, AUDIENCE, ISSUER};

fn claims() -> AccessClaims {
    let now = at(0).timestamp();
    AccessClaims {
        sub: Uuid::now_v7(),
        iss: ISSUER.into(),
        aud: AUDIENCE.into(),
        exp: now + 600,
        nbf: now,
        iat: now,
        jti: Uuid::now_v7().to_string(),
        sid: None,
    }
}

fn sign(key: &SigningKey, header: Header, claims: &AccessClaims) -> String {
    jsonwebtoken::encode(&header, claims, &EncodingKey::from_ed_der(&key.pkcs8)).unwrap()
}

fn eddsa_header(kid: &str, typ: &str) -> Header {
    let mut h = Header::new(Algorithm::EdDSA);
    h.kid = Some(kid.into());
    h.typ = Some(typ.into());
    h
}

#[test]
fn issued_token_verifies_with_its_claims() {
    let (ring, key) = ring();
    let user = Uuid::now_v7();
    let (token, issued) = ring.issue_access(user).unwrap();
    let verified = ring.verifier().unwrap().verify(&token).unwrap();
    assert_eq!(verified, issued);
    assert_eq!(verified.sub, user);
    assert_eq!(verified.exp - verified.iat, 900);
    assert_eq!(Uuid::parse_str(&verified.jti).unwrap().get_version_num(), 7);
    let header = jsonwebtoken::decode_header(&token).unwrap();
    assert_eq!(header.typ.as_deref(), Some("at+jwt"));
    assert_eq!(header.kid.as_deref(), Some(key.kid.as_str()));
    assert_eq!(header.alg, Algorithm::EdDSA);
}

#[test]
fn tampered_signature_is_rejected() {
    let (ring, _) = ring();
    let (token, _) = ring.issue_access(Uuid::now_v7()).unwrap();
    let (message, signature) = token.rsplit_once('.').unwrap();
    let mut sig = URL_SAFE_NO_PAD.decode(signature).unwrap();
    sig[10] ^= 0x01;
    let tampered = format!("{message}.{}", URL_SAFE_NO_PAD.encode(sig));
    let err = ring.verifier().unwrap().verify(&tampered).unwrap_err();
    assert!(matches!(err, AuthError::BadSignature), "{err:?}");
}

#[test]
fn tampered_payload_is_rejected() {
    let (ring, _) = ring();
    let (token, mut claims) = ring.issue_access(Uuid::now_v7()).unwrap();
    claims.sub = Uuid::now_v7();
    let parts: Vec<_> = token.split('.').collect();
    let payload = URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims).unwrap());
    let forged = format!("{}.{payload}.{}", parts[0], parts[2]);
    let err = ring.verifier().unwrap().verify(&forged).unwrap_err();
    assert!(matches!(err, AuthError::BadSignature), "{err:?}");
}

#[test]
fn alg_none_token_is_rejected() {
    let (ring, key) = ring();
    let header = format!(r#"{{"alg":"none","typ":"at+jwt","kid":"{}"}}"#, key.kid);
    let token = format!(
        "{}.{}.",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims()).unwrap())
    );
    let err = ring.verifier().unwrap().verify(&token).unwrap_err();
    assert!(matches!(err, AuthError::AlgorithmNotAllowed), "{err:?}");
}

#[test]
fn hs256_token_is_rejected_even_when_keyed_with_the_public_key() {
    let (ring, key) = ring();
    let jwk = key.jwk().unwrap();
    let mut header = Header::new(Algorithm::HS256);
    header.kid = Some(key.kid);
    header.typ = Some("at+jwt".into());
    let secret = EncodingKey::from_secret(jwk.x.as_bytes());
    let token = jsonwebtoken::encode(&header, &claims(), &secret).unwrap();
    let err = ring.verifier().unwrap().verify(&token).unwrap_err();
    assert!(matches!(err, AuthError::AlgorithmNotAllowed), "{err:?}");
}

#[test]
fn unknown_kid_is_rejected() {
    let (ring, _) = ring();
    let stranger = SigningKey::generate(at(-60)).unwrap();
    let token = sign(&stranger, eddsa_header(&stranger.kid, "at+jwt"), &claims());
    let err = ring.verifier().unwrap().verify(&token).unwrap_err();
    assert!(
        matches!(&err, AuthError::UnknownKey(kid) if *kid == stranger.kid),
        "{err:?}"
    );
}

#[test]
fn known_kid_with_another_keys_signature_is_rejected() {
    let (ring, key) = ring();
    let stranger = SigningKey::generate(at(-60)).unwrap();
    let token = sign(&stranger, eddsa_header(&key.kid, "at+jwt"), &claims());
    let err = ring.verifier().unwrap().verify(&token).unwrap_err();
    assert!(matches!(err, AuthError::BadSignature), "{err:?}");
}

#[test]
fn expired_token_is_rejected() {
    let (ring, _) = ring();
    let (token, _) = ring.issue_access_at(Uuid::now_v7(), at(-3600)).unwrap();
    let err = ring.verifier().unwrap().verify(&token).unwrap_err();
    assert!(matches!(err, AuthError::Expired), "{err:?}");
}

#[test]
fn token_expired_within_the_leeway_still_verifies() {
    let (ring, _) = ring();
    let (token, _) = ring.issue_access_at(Uuid::now_v7(), at(-900 - 2)).unwrap();
    ring.verifier().unwrap().verify(&token).unwrap();
}

#[test]
fn not_yet_valid_token_is_rejected() {
    let (ring, _) = ring();
    let (token, _) = ring.issue_access_at(Uuid::now_v7(), at(120)).unwrap();
    let err = ring.verifier().unwrap().verify(&token).unwrap_err();
    assert!(matches!(err, AuthError::NotYetValid), "{err:?}");
}

#[test]
fn wrong_audience_is_rejected() {
    let (ring, key) = ring();
    let token = sign(&key, eddsa_header(&key.kid, "at+jwt"), &claims());
    let verifier =
        Verifier::new(&ring.jwks(), ISSUER, "someone-else", config().access_ttl).unwrap();
    let err = verifier.verify(&token).unwrap_err();
    assert!(matches!(err, AuthError::WrongAudience), "{err:?}");
}

#[test]
fn wrong_issuer_is_rejected() {
    let (ring, key) = ring();
    let mut c = claims();
    c.iss = "evil".into();
    let token = sign(&key, eddsa_header(&key.kid, "at+jwt"), &c);
    let err = ring.verifier().unwrap().verify(&token).unwrap_err();
    assert!(matches!(err, AuthError::WrongAudience), "{err:?}");
}

#[test]
fn wrong_typ_is_rejected() {
    let (ring, key) = ring();
    let token = sign(&key, eddsa_header(&key.kid, "JWT"), &claims());
    let err = ring.verifier().unwrap().verify(&token).unwrap_err();
    assert!(matches!(err, AuthError::WrongType), "{err:?}");
}

#[test]
fn garbage_is_malformed() {
    let (ring, _) = ring();
    let verifier = ring.verifier().unwrap();
    for token in ["", "abc", "a.b", "a.b.c.d", "!!.!!.!!"] {
        let err = verifier.verify(token).unwrap_err();
        assert!(matches!(err, AuthError::Malformed), "{token}: {err:?}");
    }
}

#[test]
fn jwk_is_an_ed25519_public_key_with_thumbprint_kid() {
    let key = SigningKey::generate(at(0)).unwrap();
    let jwk = key.jwk().unwrap();
    assert_eq!((jwk.kty.as_str(), jwk.crv.as_str()), ("OKP", "Ed25519"));
    assert_eq!((jwk.alg.as_str(), jwk.use_.as_str()), ("EdDSA", "sig"));
    assert_eq!(URL_SAFE_NO_PAD.decode(&jwk.x).unwrap().len(), 32);
    assert_eq!(jwk.kid, key.kid);
    let json = serde_json::to_value(&jwk).unwrap();
    assert_eq!(json["use"], "sig");
    assert!(!format!("{key:?}").contains(&format!("{:?}", key.pkcs8)));
}

// What a leaked signing key could mint: each is refused though its signature is good.

#[test]
fn a_token_issued_in_the_future_is_rejected() {
    let (ring, key) = ring();
    let mut c = claims();
    // Valid from now (nbf) and for ten minutes, but "issued" an hour from now.
    c.iat = at(3600).timestamp();
    let token = sign(&key, eddsa_header(&key.kid, "at+jwt"), &c);
    let err = ring.verifier().unwrap().verify(&token).unwrap_err();
    assert!(matches!(err, AuthError::IssuedInFuture), "{err:?}");
    // Within the clock skew it is fine.
    c.iat = at(3).timestamp();
    let token = sign(&key, eddsa_header(&key.kid, "at+jwt"), &c);
    ring.verifier().unwrap().verify(&token).unwrap();
}

#[test]
fn a_token_that_lives_longer_than_an_access_token_is_rejected() {
    let (ring, key) = ring();
    let mut c = claims();
    c.exp = c.iat + 100 * 365 * 86_400; // a hundred years
    let token = sign(&key, eddsa_header(&key.kid, "at+jwt"), &c);
    let err = ring.verifier().unwrap().verify(&token).unwrap_err();
    assert!(matches!(err, AuthError::LifetimeTooLong), "{err:?}");
    // Backdating `iat` does not help: the lifetime counts from it.
    c.iat = at(-86_400).timestamp();
    c.exp = at(600).timestamp();
    let token = sign(&key, eddsa_header(&key.kid, "at+jwt"), &c);
    let err = ring.verifier().unwrap().verify(&token).unwrap_err();
    assert!(matches!(err, AuthError::LifetimeTooLong), "{err:?}");
    // The configured lifetime (900 s) plus the skew is accepted, a second more is not.
    let now = at(0).timestamp();
    c.iat = now;
    c.exp = now + 900 + 5;
    let token = sign(&key, eddsa_header(&key.kid, "at+jwt"), &c);
    ring.verifier().unwrap().verify(&token).unwrap();
    c.exp = now + 900 + 6;
    let token = sign(&key, eddsa_header(&key.kid, "at+jwt"), &c);
    assert!(matches!(
        ring.verifier().unwrap().verify(&token),
        Err(AuthError::LifetimeTooLong)
    ));
}

#[test]
fn a_critical_header_extension_is_rejected() {
    let (ring, key) = ring();
    let header = format!(
        r#"{{"alg":"EdDSA","typ":"at+jwt","kid":"{}","crit":["exp-ext"],"exp-ext":1}}"#,
        key.kid
    );
    let message = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims()).unwrap())
    );
    let pair = ::ring::signature::Ed25519KeyPair::from_pkcs8_maybe_unchecked(&key.pkcs8).unwrap();
    let signature = URL_SAFE_NO_PAD.encode(pair.sign(message.as_bytes()).as_ref());
    let token = format!("{message}.{signature}");
    let err = ring.verifier().unwrap().verify(&token).unwrap_err();
    assert!(matches!(err, AuthError::UnsupportedCritical), "{err:?}");
    // The same header without `crit` verifies: only the extension is refused.
    let header = format!(r#"{{"alg":"EdDSA","typ":"at+jwt","kid":"{}"}}"#, key.kid);
    let message = format!(
        "{}.{}",
        URL_SAFE_NO_PAD.encode(header),
        URL_SAFE_NO_PAD.encode(serde_json::to_vec(&claims()).unwrap())
    );
    let signature = URL_SAFE_NO_PAD.encode(pair.sign(message.as_bytes()).as_ref());
    ring.verifier()
        .unwrap()
        .verify(&format!("{message}.{signature}"))
        .unwrap();
}

#[test]
fn a_session_token_names_its_session() {
    let (ring, _) = ring();
    let (token, issued) = ring
        .issue_session_access(Uuid::now_v7(), "family-1")
        .unwrap();
    let verified = ring.verifier().unwrap().verify(&token).unwrap();
    assert_eq!(verified.sid.as_deref(), Some("family-1"));
    assert_eq!(verified, issued);
    let (plain, _) = ring.issue_access(Uuid::now_v7()).unwrap();
    assert_eq!(ring.verifier().unwrap().verify(&plain).unwrap().sid, None);
}
