//! Access-token verification against a JWKS.

use std::collections::HashMap;
use std::time::Duration;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

use crate::{AccessClaims, AuthError, Jwks, RevocationList};

/// The `typ` header of access tokens (RFC 9068).
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";
/// Clock skew tolerated on `exp`, `nbf`, `iat` and the lifetime, in seconds.
pub const LEEWAY_SECS: u64 = 5;

/// Verifies access tokens against a JWKS. Only `EdDSA` is accepted, whatever the token says.
///
/// Beyond the signature it holds a token to what the identity service issues, so that a
/// leaked signing key mints nothing that outlives the access-token lifetime: `iat` may not
/// be in the future (beyond [`LEEWAY_SECS`]), `exp − iat` may not exceed `max_lifetime` (plus
/// the leeway), and a `crit` header is refused (no extension is understood, RFC 7515 §4.1.11).
pub struct Verifier {
    keys: HashMap<String, DecodingKey>,
    validation: Validation,
    max_lifetime: i64,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("kids", &self.kids())
            .finish()
    }
}

impl Verifier {
    /// A verifier trusting the Ed25519 keys of `jwks` (other key types are ignored), for
    /// tokens of `issuer` for `audience` that live at most `max_lifetime` (the issuer's
    /// access-token lifetime).
    pub fn new(
        jwks: &Jwks,
        issuer: &str,
        audience: &str,
        max_lifetime: Duration,
    ) -> Result<Self, AuthError> {
        let mut keys = HashMap::new();
        for jwk in &jwks.keys {
            if jwk.kty != "OKP" || jwk.crv != "Ed25519" || jwk.alg != "EdDSA" {
                continue;
            }
            let key = DecodingKey::from_ed_components(&jwk.x)
                .map_err(|e| AuthError::Key(format!("bad JWK `{}`: {e}", jwk.kid)))?;
            keys.insert(jwk.kid.clone(), key);
        }
        let mut validation = Validation::new(Algorithm::EdDSA);
        validation.set_issuer(&[issuer]);
        validation.set_audience(&[audience]);
        validation.set_required_spec_claims(&["exp", "nbf", "iat", "iss", "aud", "sub"]);
        validation.validate_exp = true;
        validation.validate_nbf = true;
        validation.leeway = LEEWAY_SECS;
        let max_lifetime = i64::try_from(max_lifetime.as_secs()).unwrap_or(i64::MAX / 2);
        Ok(Self {
            keys,
            validation,
            max_lifetime,
        })
    }

    /// The key ids this verifier trusts, sorted.
    pub fn kids(&self) -> Vec<String> {
        let mut kids: Vec<_> = self.keys.keys().cloned().collect();
        kids.sort();
        kids
    }

    /// Checks algorithm, `crit`, `typ`, `kid`, signature, `iss`, `aud`, `exp`, `nbf`, `iat`
    /// and the lifetime.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, AuthError> {
        let header = parse_header(token)?;
        if header.get("alg").and_then(|v| v.as_str()) != Some("EdDSA") {
            return Err(AuthError::AlgorithmNotAllowed);
        }
        if header.contains_key("crit") {
            return Err(AuthError::UnsupportedCritical);
        }
        let typ = header
            .get("typ")
            .and_then(|v| v.as_str())
            .unwrap_or_default();
        if !typ.eq_ignore_ascii_case(ACCESS_TOKEN_TYPE)
            && !typ.eq_ignore_ascii_case("application/at+jwt")
        {
            return Err(AuthError::WrongType);
        }
        let kid = header
            .get("kid")
            .and_then(|v| v.as_str())
            .ok_or(AuthError::Malformed)?;
        let key = self
            .keys
            .get(kid)
            .ok_or_else(|| AuthError::UnknownKey(kid.to_owned()))?;
        let claims = jsonwebtoken::decode::<AccessClaims>(token, key, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| map_error(e.kind()))?;
        self.check_times(&claims, chrono::Utc::now().timestamp())?;
        Ok(claims)
    }

    /// `iat` not in the future, `exp − iat` within the lifetime (both with the leeway).
    fn check_times(&self, claims: &AccessClaims, now: i64) -> Result<(), AuthError> {
        let leeway = LEEWAY_SECS as i64;
        if claims.iat > now.saturating_add(leeway) {
            return Err(AuthError::IssuedInFuture);
        }
        let lifetime = claims.exp.saturating_sub(claims.iat);
        if lifetime > self.max_lifetime.saturating_add(leeway) {
            return Err(AuthError::LifetimeTooLong);
        }
        Ok(())
    }

    /// [`verify`](Self::verify), then refuses a token that has been revoked (by its `jti`,
    /// or with its session).
    pub async fn verify_not_revoked(
        &self,
        token: &str,
        revocations: &dyn RevocationList,
    ) -> Result<AccessClaims, AuthError> {
        let claims = self.verify(token)?;
        if crate::is_revoked(revocations, &claims).await? {
            return Err(AuthError::Revoked);
        }
        Ok(claims)
    }
}

fn parse_header(token: &str) -> Result<serde_json::Map<String, serde_json::Value>, AuthError> {
    let mut parts = token.split('.');
    let (Some(header), Some(_), Some(_), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(AuthError::Malformed);
    };
    let bytes = URL_SAFE_NO_PAD
        .decode(header)
        .map_err(|_| AuthError::Malformed)?;
    serde_json::from_slice(&bytes).map_err(|_| AuthError::Malformed)
}

fn map_error(kind: &ErrorKind) -> AuthError {
    match kind {
        ErrorKind::InvalidSignature => AuthError::BadSignature,
        ErrorKind::ExpiredSignature => AuthError::Expired,
        ErrorKind::ImmatureSignature => AuthError::NotYetValid,
        ErrorKind::InvalidAudience | ErrorKind::InvalidIssuer => AuthError::WrongAudience,
        ErrorKind::InvalidAlgorithm | ErrorKind::InvalidAlgorithmName => {
            AuthError::AlgorithmNotAllowed
        }
        ErrorKind::InvalidKeyFormat => AuthError::Key("invalid verification key".into()),
        _ => AuthError::Malformed,
    }
}
