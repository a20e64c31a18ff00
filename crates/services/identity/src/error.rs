//! The service's errors: [`ApiError`] for requests (one status match, one code match) and
//! [`BuildError`] for start-up.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use quorum_auth::AuthError;
use quorum_bus::BusError;
use quorum_store::StoreError;
use quorum_web::{ApiErrorKind, Problem};

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
    #[error("{0}")]
    Unauthorized(String),
    #[error("user `{0}` was not found")]
    NotFound(String),
    #[error("storage failed")]
    Store(#[from] StoreError),
    #[error("recording the event failed")]
    Bus(#[from] BusError),
    #[error("token service failed")]
    Auth(#[source] AuthError),
    #[error("password hashing failed: {0}")]
    Hashing(String),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Store(e.into())
    }
}

impl ApiErrorKind for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation(_) => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ApiError::EmailTaken => StatusCode::CONFLICT,
            ApiError::BadCredentials
            | ApiError::InvalidRefreshToken
            | ApiError::RefreshTokenReused
            | ApiError::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Store(_)
            | ApiError::Bus(_)
            | ApiError::Auth(_)
            | ApiError::Hashing(_)
            | ApiError::Corrupt(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "validation_failed",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::EmailTaken => "email_taken",
            ApiError::BadCredentials => "bad_credentials",
            ApiError::InvalidRefreshToken => "invalid_refresh_token",
            ApiError::RefreshTokenReused => "refresh_token_reused",
            ApiError::Unauthorized(_) => "unauthorized",
            ApiError::NotFound(_) => "user_not_found",
            ApiError::Store(_) => "storage_error",
            ApiError::Bus(_) => "event_error",
            ApiError::Auth(_) => "token_error",
            ApiError::Hashing(_) => "hashing_error",
            ApiError::Corrupt(_) => "corrupt_data",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.into_problem().into_response()
    }
}

impl From<Problem> for ApiError {
    fn from(p: Problem) -> Self {
        ApiError::BadRequest(p.detail)
    }
}
