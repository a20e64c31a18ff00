//! The service's errors: [`ApiError`] for requests (one match to its error code, from
//! `quorum_web::Code`, which decides the status) and
//! [`BuildError`] for start-up.

use axum::http::{header, HeaderValue};
use axum::response::{IntoResponse, Response};
use quorum_auth::AuthError;
use quorum_store::StoreError;
use quorum_web::{ApiErrorKind, Code};

use crate::domain::ValidationError;

/// Why [`crate::build`] failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("identity database migration failed")]
    Migrate(#[source] StoreError),
    #[error("identity database unavailable at start-up")]
    Startup(#[source] StoreError),
    #[error("loading or creating the signing keys failed: {0}")]
    Keys(String),
    #[error("invalid identity settings: {0}")]
    Settings(String),
}

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    #[error(transparent)]
    Validation(#[from] ValidationError),
    #[error("{0}")]
    BadRequest(String),
    #[error("a user with this e-mail address already exists")]
    EmailTaken,
    /// Unknown e-mail and wrong password answer the same.
    #[error("the e-mail address or password is incorrect")]
    BadCredentials,
    #[error("the refresh token is invalid, expired or revoked; sign in again")]
    InvalidRefreshToken,
    #[error("the refresh token was already used; every session of its family is revoked")]
    RefreshTokenReused,
    #[error("the current password is not correct")]
    WrongPassword,
    /// Too many failed attempts at this account's password: wait (`Retry-After`).
    #[error("too many failed attempts for this account; try again in {retry_after_secs} s")]
    LoginThrottled { retry_after_secs: u64 },
    /// The message says why (zxcvbn's feedback).
    #[error("{0}")]
    WeakPassword(String),
    #[error("no pending e-mail change matches this code (wrong, expired, or never asked for); ask for a new code")]
    InvalidConfirmationCode,
    #[error("{0}")]
    Unauthorized(String),
    #[error("user `{0}` was not found")]
    NotFound(String),
    #[error("token service failed")]
    Auth(#[source] AuthError),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    /// Storage, messaging or stored data: a logged 500.
    #[error(transparent)]
    Failure(#[from] quorum_service::Failure),
}

impl ApiErrorKind for ApiError {
    fn code(&self) -> Code {
        match self {
            ApiError::Validation(_) => Code::ValidationFailed,
            ApiError::BadRequest(_) => Code::BadRequest,
            ApiError::EmailTaken => Code::EmailTaken,
            ApiError::BadCredentials => Code::BadCredentials,
            ApiError::InvalidRefreshToken => Code::InvalidRefreshToken,
            ApiError::RefreshTokenReused => Code::RefreshTokenReused,
            ApiError::WrongPassword => Code::WrongPassword,
            ApiError::LoginThrottled { .. } => Code::LoginThrottled,
            ApiError::WeakPassword(_) => Code::WeakPassword,
            ApiError::InvalidConfirmationCode => Code::InvalidConfirmationCode,
            ApiError::Unauthorized(_) => Code::Unauthorized,
            ApiError::NotFound(_) => Code::UserNotFound,
            ApiError::Auth(_) => Code::TokenError,
            ApiError::Hashing(_) => Code::HashingError,
            ApiError::Failure(f) => f.code(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let retry_after = match &self {
            ApiError::LoginThrottled { retry_after_secs } => Some(*retry_after_secs),
            _ => None,
        };
        let mut res = self.into_problem().into_response();
        if let Some(secs) = retry_after {
            res.headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from(secs));
        }
        res
    }
}

quorum_service::service_error!(ApiError, own_response);
