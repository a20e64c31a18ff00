//! The service's errors: [`ApiError`] for requests (one match to its error code, from
//! `quorum_web::Code`, which decides the status) and
//! [`BuildError`] for start-up.

use quorum_store::StoreError;
use quorum_web::{ApiErrorKind, Code};

use crate::domain::{TransitionError, ValidationError};

/// Why [`crate::build`] failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("todo database migration failed")]
    Migrate(#[source] StoreError),
    #[error("invalid setting: {0}")]
    Settings(String),
}

/// Everything a request can fail with.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiError {
    /// A field is missing, malformed or out of range.
    #[error(transparent)]
    Validation(#[from] ValidationError),
    /// A malformed path or query parameter.
    #[error("{0}")]
    BadRequest(String),
    /// Unknown, or known but hidden from the caller (existence is not revealed).
    #[error("todo `{0}` was not found")]
    NotFound(String),
    /// The caller may see the todo but not change it.
    #[error("only the todo's assignee, its creator or the meeting's owner may change it")]
    Forbidden,
    /// The assignee is neither the caller nor a fellow participant of the todo's meeting.
    #[error(
        "you may assign a todo only to yourself or, for a todo of a meeting you take part in, \
         to one of its participants; `assigneeId` {0} is neither"
    )]
    AssigneeForbidden(uuid::Uuid),
    /// The caller may see (or even change) the todo but not delete it.
    #[error(
        "only the todo's creator or the meeting's owner may delete it; its assignee may \
         change it but not delete it"
    )]
    DeleteForbidden,
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// The row changed between read and write (lost a race); the client may retry.
    #[error("the todo was changed concurrently; reload it and try again")]
    Concurrent,
    /// Storage, messaging or stored data: a logged 500.
    #[error(transparent)]
    Failure(#[from] quorum_service::Failure),
}

impl ApiErrorKind for ApiError {
    fn code(&self) -> Code {
        match self {
            ApiError::Validation(_) => Code::ValidationFailed,
            ApiError::BadRequest(_) => Code::BadRequest,
            ApiError::NotFound(_) => Code::TodoNotFound,
            ApiError::Forbidden => Code::TodoForbidden,
            ApiError::DeleteForbidden => Code::TodoDeleteForbidden,
            ApiError::AssigneeForbidden(_) => Code::TodoAssigneeForbidden,
            ApiError::Transition(_) => Code::InvalidTodoTransition,
            ApiError::Concurrent => Code::ConcurrentModification,
            ApiError::Failure(f) => f.code(),
        }
    }
}

quorum_service::service_error!(ApiError);
