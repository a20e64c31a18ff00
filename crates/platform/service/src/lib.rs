//! What every Quorum service is made of, written once.
//!
//! - [`Failure`]: the failures below the HTTP layer that every service's error shares
//!   (storage, messaging, stored data that cannot be read back) — always a logged 500 whose
//!   cause is never shown; [`service_error!`](crate::service_error) writes the conversions
//!   and the response of a service's `ApiError` around it.
//! - [`Secret`]: a setting that must never be printed (passwords, API keys, URLs with a
//!   password).
//! - [`Hosted`]: the face a built service shows the process that hosts it (routes,
//!   background work by role, health indicators), so the process assembles any set of
//!   services with one loop.
//! - [`column`]: reading back stored ids and JSON (unreadable → corrupt data), once;
//! - [`prepare`]: the database migrations of a service, in the one order every service uses;
//! - [`deleted_meetings`]: the tombstones of deleted meetings, so work still on its way for a
//!   meeting never brings its data back.

pub mod column;
pub mod deleted_meetings;
mod hosted;
mod prepare;

pub use hosted::Hosted;
pub use prepare::{prepare, Directory};

use std::fmt;

use serde::Deserialize;

pub use quorum_bus::BusError;
pub use quorum_store::{sqlx, StoreError};
use quorum_web::Code;

/// A failure below the HTTP layer, shared by every service's error.
#[derive(Debug, thiserror::Error)]
pub enum Failure {
    #[error("storage failed")]
    Store(#[from] StoreError),
    #[error("recording the event failed")]
    Bus(#[from] BusError),
    /// Stored data could not be read back (a row the code cannot have written).
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for Failure {
    fn from(e: sqlx::Error) -> Self {
        Failure::Store(e.into())
    }
}

impl Failure {
    /// Stored data that cannot be read back.
    pub fn corrupt(detail: impl Into<String>) -> Self {
        Failure::Corrupt(detail.into())
    }

    /// The error code of the problem a request answers with.
    pub fn code(&self) -> Code {
        match self {
            Failure::Store(_) => Code::StorageError,
            Failure::Bus(_) => Code::EventError,
            Failure::Corrupt(_) => Code::CorruptData,
        }
    }
}

/// A consumer retries a failure (the database or broker may be back by the next delivery).
impl From<Failure> for quorum_bus::HandleError {
    fn from(e: Failure) -> Self {
        quorum_bus::HandleError::retry(e)
    }
}

/// A service's `ApiError` around [`Failure`], written once: `?` on a storage, sqlx or
/// messaging error (into its `Failure(Failure)` variant), `ApiError::corrupt(…)`, `?` on a
/// problem from a `quorum_web` validator such as pagination (into its `BadRequest(String)`
/// variant, keeping the message), and its response (the problem from
/// `quorum_web::ApiErrorKind`; `own_response` when the service writes it itself).
#[macro_export]
macro_rules! service_error {
    ($error:ty) => {
        impl ::axum::response::IntoResponse for $error {
            fn into_response(self) -> ::axum::response::Response {
                ::axum::response::IntoResponse::into_response(
                    ::quorum_web::ApiErrorKind::into_problem(&self),
                )
            }
        }

        $crate::service_error!($error, own_response);
    };
    ($error:ty, own_response) => {
        impl ::core::convert::From<$crate::StoreError> for $error {
            fn from(e: $crate::StoreError) -> Self {
                Self::Failure(e.into())
            }
        }

        impl ::core::convert::From<$crate::BusError> for $error {
            fn from(e: $crate::BusError) -> Self {
                Self::Failure(e.into())
            }
        }

        impl ::core::convert::From<$crate::sqlx::Error> for $error {
            fn from(e: $crate::sqlx::Error) -> Self {
                Self::Failure(e.into())
            }
        }

        impl ::core::convert::From<::quorum_web::Problem> for $error {
            fn from(p: ::quorum_web::Problem) -> Self {
                Self::BadRequest(p.detail)
            }
        }

        /// In a consumer, a failed step is retried (what failed may be back by the next
        /// delivery; a message that can never succeed is rejected explicitly).
        impl ::core::convert::From<$error> for ::quorum_bus::HandleError {
            fn from(e: $error) -> Self {
                ::quorum_bus::HandleError::retry(e)
            }
        }

        impl $error {
            /// Stored data that cannot be read back.
            #[allow(dead_code)]
            pub(crate) fn corrupt(detail: impl ::core::convert::Into<String>) -> Self {
                Self::Failure($crate::Failure::Corrupt(detail.into()))
            }
        }
    };
}

/// A secret setting — an API key, a password, or a URL that may carry one
/// (`postgres://quorum:pw@db/…`): deserializes like a string, never printed by `Debug`;
/// [`Secret::redacted`] is what an error message may show.
#[derive(Clone, Default, PartialEq, Eq, Deserialize)]
#[serde(transparent)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The value, for the one place that must send it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// True when unset (empty or blank): the setting's embedded default applies.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }

    /// For messages: a URL with its password replaced by `***`
    /// (`amqp://guest:***@host:5672/%2f`); anything that is not such a URL, entirely `***`.
    pub fn redacted(&self) -> String {
        let value = self.0.trim();
        let Some((scheme, rest)) = value.split_once("://") else {
            return "***".into();
        };
        let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, path) = rest.split_at(authority_end);
        match authority.rsplit_once('@') {
            Some((userinfo, host)) => {
                let user = userinfo.split_once(':').map_or(userinfo, |(user, _)| user);
                format!("{scheme}://{user}:***@{host}{path}")
            }
            None => value.to_string(),
        }
    }
}

impl From<String> for Secret {
    fn from(value: String) -> Self {
        Self(value)
    }
}

impl From<&str> for Secret {
    fn from(value: &str) -> Self {
        Self(value.into())
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_secret_reads_like_a_string_and_never_prints() {
        let s: Secret = serde_json::from_str(r#""hunter2""#).unwrap();
        assert_eq!(s.expose(), "hunter2");
        assert!(!format!("{s:?}").contains("hunter2"));
    }

    #[test]
    fn a_redacted_url_keeps_where_it_points_and_hides_the_password() {
        let url = Secret::new("postgres://quorum:hunter2@db:5432/quorum_{service}");
        assert_eq!(
            url.redacted(),
            "postgres://quorum:***@db:5432/quorum_{service}"
        );
        let url = Secret::new("amqp://guest:p@ss@rabbit/%2f");
        assert_eq!(url.redacted(), "amqp://guest:***@rabbit/%2f");
        assert_eq!(
            Secret::new("redis://cache:6379").redacted(),
            "redis://cache:6379"
        );
        assert_eq!(Secret::new("sk-live-key").redacted(), "***");
        assert!(Secret::new("  ").is_blank() && Secret::default().is_blank());
    }

    #[test]
    fn failures_are_server_errors_with_their_own_codes() {
        let f = Failure::Corrupt("x".into());
        assert_eq!(f.code().name(), "corrupt_data");
        assert!(f.code().status().is_server_error());
        let f: Failure = sqlx::Error::RowNotFound.into();
        assert_eq!(f.code().name(), "storage_error");
    }
}
