//! Access-token verification against a JWKS.

use std::collections::HashMap;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use jsonwebtoken::errors::ErrorKind;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};

use crate::{AccessClaims, AuthError, Jwks, RevocationList};

/// The `typ` header of access tokens (RFC 9068).
pub const ACCESS_TOKEN_TYPE: &str = "at+jwt";
/// Clock skew tolerated on `exp` and `nbf`, in seconds.
pub const LEEWAY_SECS: u64 = 5;

/// Verifies access tokens against a JWKS. Only `EdDSA` is accepted, whatever the token says.
pub struct Verifier {
    keys: HashMap<String, DecodingKey>,
    validation: Validation,
}

impl std::fmt::Debug for Verifier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Verifier")
            .field("kids", &self.kids())
            .finish()
    }
}

impl Verifier {
    /// A verifier trusting the Ed25519 keys of `jwks` (other key types are ignored).
    pub fn new(jwks: &Jwks, issuer: &str, audience: &str) -> Result<Self, AuthError> {
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
        Ok(Self { keys, validation })
    }

    /// The key ids this verifier trusts, sorted.
    pub fn kids(&self) -> Vec<String> {
        let mut kids: Vec<_> = self.keys.keys().cloned().collect();
        kids.sort();
        kids
    }

    /// Checks algorithm, `typ`, `kid`, signature, `iss`, `aud`, `exp` and `nbf`.
    pub fn verify(&self, token: &str) -> Result<AccessClaims, AuthError> {
        let header = parse_header(token)?;
        if header.get("alg").and_then(|v| v.as_str()) != Some("EdDSA") {
            return Err(AuthError::AlgorithmNotAllowed);
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
        jsonwebtoken::decode::<AccessClaims>(token, key, &self.validation)
            .map(|data| data.claims)
            .map_err(|e| map_error(e.kind()))
    }

    /// [`verify`](Self::verify), then refuses a token whose `jti` has been revoked.
    pub async fn verify_not_revoked(
        &self,
        token: &str,
        revocations: &dyn RevocationList,
    ) -> Result<AccessClaims, AuthError> {
        let claims = self.verify(token)?;
        if revocations.is_revoked(&claims.jti).await? {
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
