//! The service's errors: [`ApiError`] for requests (one match to its error code, from
//! `quorum_web::Code`, which decides the status) and
//! [`BuildError`] for start-up.

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
            ApiError::Unauthorized(_) => Code::Unauthorized,
            ApiError::NotFound(_) => Code::UserNotFound,
            ApiError::Auth(_) => Code::TokenError,
            ApiError::Hashing(_) => Code::HashingError,
            ApiError::Failure(f) => f.code(),
        }
    }
}

quorum_service::service_error!(ApiError);
