//! Signing keys at rest: sealed with AES-256-GCM (`ring`) under a 32-byte key the operator
//! keeps outside the database (an environment variable), so a copy of the database alone
//! cannot mint tokens.
//!
//! A sealed key is stored as `sealed:v1:` + base64(nonce ‖ ciphertext ‖ tag), with a fresh
//! random 96-bit nonce per sealing and the key's `kid` as associated data (a sealed key
//! moved to another row does not open). Without a sealing key, keys are stored as plain
//! base64 PKCS#8, as before; [`KeySeal::open`] reads both, and tells which it read so the
//! caller can seal the plain ones.

use std::fmt;
use std::sync::Arc;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use ring::aead::{Aad, LessSafeKey, Nonce, UnboundKey, AES_256_GCM, NONCE_LEN};
use ring::rand::{SecureRandom as _, SystemRandom};

/// What a sealed key starts with (never a character of plain base64).
pub const SEALED_PREFIX: &str = "sealed:v1:";

/// Why a key could not be sealed or opened; each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum SealError {
    #[error("the encryption key must be 32 bytes in base64 (make one with `openssl rand -base64 32`); {0}")]
    BadKey(String),
    #[error(
        "signing key `{0}` is encrypted at rest, but no encryption key is set; set the one it \
         was encrypted with"
    )]
    NoKey(String),
    #[error(
        "signing key `{0}` cannot be decrypted with the encryption key that is set (a wrong \
         key, or the stored key was altered)"
    )]
    WrongKey(String),
    #[error("signing key `{0}` is stored unreadably (not base64)")]
    Corrupt(String),
    #[error("sealing signing key `{0}` failed")]
    Failed(String),
}

/// A stored key, opened.
#[derive(Debug)]
pub struct Opened {
    /// PKCS#8 DER of the private key.
    pub pkcs8: Vec<u8>,
    /// Whether it was stored sealed (else: plain, to be sealed when sealing is on).
    pub was_sealed: bool,
}

/// Seals and opens signing keys; off without an encryption key.
#[derive(Clone, Default)]
pub struct KeySeal {
    key: Option<Arc<LessSafeKey>>,
}

impl fmt::Debug for KeySeal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let state = if self.is_on() { "on" } else { "off" };
        f.debug_tuple("KeySeal").field(&state).finish()
    }
}

impl KeySeal {
    /// Sealing under `key` (32 bytes, base64); a blank `key` turns sealing off.
    pub fn from_base64(key: &str) -> Result<Self, SealError> {
        let key = key.trim();
        if key.is_empty() {
            return Ok(Self::default());
        }
        let bytes = STANDARD
            .decode(key)
            .or_else(|_| base64::engine::general_purpose::STANDARD_NO_PAD.decode(key))
            .map_err(|_| SealError::BadKey("it is not base64".into()))?;
        if bytes.len() != 32 {
            return Err(SealError::BadKey(format!("it is {} bytes", bytes.len())));
        }
        let unbound = UnboundKey::new(&AES_256_GCM, &bytes)
            .map_err(|_| SealError::BadKey("it was refused".into()))?;
        Ok(Self {
            key: Some(Arc::new(LessSafeKey::new(unbound))),
        })
    }

    /// Whether keys are sealed.
    pub fn is_on(&self) -> bool {
        self.key.is_some()
    }

    /// The stored form of `pkcs8`: sealed when sealing is on, else plain base64.
    pub fn seal(&self, kid: &str, pkcs8: &[u8]) -> Result<String, SealError> {
        let Some(key) = &self.key else {
            return Ok(STANDARD.encode(pkcs8));
        };
        let mut nonce = [0u8; NONCE_LEN];
        SystemRandom::new()
            .fill(&mut nonce)
            .map_err(|_| SealError::Failed(kid.into()))?;
        let mut sealed = pkcs8.to_vec();
        key.seal_in_place_append_tag(
            Nonce::assume_unique_for_key(nonce),
            Aad::from(kid.as_bytes()),
            &mut sealed,
        )
        .map_err(|_| SealError::Failed(kid.into()))?;
        let mut stored = nonce.to_vec();
        stored.append(&mut sealed);
        Ok(format!("{SEALED_PREFIX}{}", STANDARD.encode(stored)))
    }

    /// Reads a stored key, sealed or plain.
    pub fn open(&self, kid: &str, stored: &str) -> Result<Opened, SealError> {
        let Some(sealed) = stored.strip_prefix(SEALED_PREFIX) else {
            let pkcs8 = STANDARD
                .decode(stored.as_bytes())
                .map_err(|_| SealError::Corrupt(kid.into()))?;
            return Ok(Opened {
                pkcs8,
                was_sealed: false,
            });
        };
        let key = self
            .key
            .as_ref()
            .ok_or_else(|| SealError::NoKey(kid.into()))?;
        let mut bytes = STANDARD
            .decode(sealed.as_bytes())
            .map_err(|_| SealError::Corrupt(kid.into()))?;
        if bytes.len() < NONCE_LEN {
            return Err(SealError::Corrupt(kid.into()));
        }
        let mut ciphertext = bytes.split_off(NONCE_LEN);
        let nonce =
            Nonce::try_assume_unique_for_key(&bytes).map_err(|_| SealError::Corrupt(kid.into()))?;
        let plain = key
            .open_in_place(nonce, Aad::from(kid.as_bytes()), &mut ciphertext)
            .map_err(|_| SealError::WrongKey(kid.into()))?;
        Ok(Opened {
            pkcs8: plain.to_vec(),
            was_sealed: true,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="; // 32 bytes
    const OTHER: &str = "ZmVkY2JhOTg3NjU0MzIxMGZlZGNiYTk4NzY1NDMyMTA=";

    #[test]
    fn a_sealed_key_opens_only_with_its_key_and_its_kid() {
        let seal = KeySeal::from_base64(KEY).unwrap();
        let stored = seal.seal("kid-1", b"private key").unwrap();
        assert!(stored.starts_with(SEALED_PREFIX));
        assert!(!stored.contains(&STANDARD.encode(b"private key")));
        assert_ne!(
            stored,
            seal.seal("kid-1", b"private key").unwrap(),
            "fresh nonce"
        );
        let opened = seal.open("kid-1", &stored).unwrap();
        assert_eq!(
            (opened.pkcs8.as_slice(), opened.was_sealed),
            (&b"private key"[..], true)
        );

        let other = KeySeal::from_base64(OTHER).unwrap();
        assert!(matches!(
            other.open("kid-1", &stored),
            Err(SealError::WrongKey(_))
        ));
        assert!(matches!(
            seal.open("kid-2", &stored),
            Err(SealError::WrongKey(_))
        ));
        let off = KeySeal::default();
        let err = off.open("kid-1", &stored).unwrap_err();
        assert!(
            err.to_string().contains("no encryption key is set"),
            "{err}"
        );
    }

    #[test]
    fn plain_keys_still_open_and_bad_keys_are_named() {
        let plain = STANDARD.encode(b"private key");
        let opened = KeySeal::from_base64(KEY)
            .unwrap()
            .open("k", &plain)
            .unwrap();
        assert!(!opened.was_sealed);
        assert_eq!(KeySeal::default().seal("k", b"private key").unwrap(), plain);
        assert!(!KeySeal::from_base64("  ").unwrap().is_on());
        for bad in ["not base64!", "c2hvcnQ="] {
            let err = KeySeal::from_base64(bad).unwrap_err().to_string();
            assert!(err.contains("32 bytes in base64"), "{err}");
        }
        assert!(!format!("{:?}", KeySeal::from_base64(KEY).unwrap()).contains(KEY));
    }
}
