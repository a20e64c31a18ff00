//! The service's errors: [`ApiError`] for requests (one status match, one code match) and
//! [`BuildError`] for start-up.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use quorum_bus::BusError;
use quorum_store::StoreError;
use quorum_web::{ApiErrorKind, Problem};

use crate::domain::{TransitionError, ValidationError};

/// Why [`crate::build`] failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("meeting database migration failed")]
    Migrate(#[source] StoreError),
    #[error("meeting: cannot create the recordings directory `{path}`")]
    RecordingsDir {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
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
    /// Unknown, or known but the caller does not take part (existence is not revealed).
    #[error("meeting `{0}` was not found")]
    NotFound(String),
    /// A participant tried something only the owner may do.
    #[error("only the meeting's owner may {0}")]
    NotOwner(&'static str),
    #[error("unknown participants: {0}; they must be registered users")]
    UnknownParticipants(String),
    #[error("template `{0}` does not exist; see GET /api/meetings/templates")]
    UnknownTemplate(String),
    #[error(transparent)]
    Transition(#[from] TransitionError),
    /// A recording's `participantId` names someone outside the meeting.
    #[error("`participantId` {0} is not a participant of this meeting")]
    NotParticipant(uuid::Uuid),
    #[error("the recording exceeds the limit of {0} bytes")]
    RecordingTooLarge(u64),
    /// The body was cut off by a body limit in front of the service.
    #[error("the request body exceeds the allowed size")]
    BodyTooLarge,
    /// Not an audio format Quorum reads; the message lists the supported ones.
    #[error("{0}")]
    UnsupportedAudio(String),
    /// A supported container whose audio cannot be decoded.
    #[error("{0}")]
    UndecodableAudio(String),
    #[error("the recording is empty")]
    EmptyRecording,
    /// The body stopped before it was complete (client gone, length mismatch).
    #[error("the upload was interrupted: {0}")]
    UploadInterrupted(String),
    /// The row changed between read and write (lost a race); the client may retry.
    #[error("the meeting was changed concurrently; reload it and try again")]
    Concurrent,
    #[error("storage failed")]
    Store(#[from] StoreError),
    #[error("recording the event failed")]
    Bus(#[from] BusError),
    #[error("stored data is inconsistent: {0}")]
    Corrupt(String),
    #[error("storing the recording failed")]
    File(#[from] std::io::Error),
}

impl From<sqlx::Error> for ApiError {
    fn from(e: sqlx::Error) -> Self {
        ApiError::Store(e.into())
    }
}

impl From<quorum_audio::AudioError> for ApiError {
    fn from(e: quorum_audio::AudioError) -> Self {
        use quorum_audio::AudioError;
        match e {
            AudioError::Unsupported(m) => ApiError::UnsupportedAudio(m),
            AudioError::Undecodable(m) => ApiError::UndecodableAudio(m),
            AudioError::Empty => ApiError::EmptyRecording,
            AudioError::Io(e) => ApiError::File(e),
        }
    }
}

impl From<Problem> for ApiError {
    /// `quorum_web` validators (pagination) answer with a 400 problem; keep its message.
    fn from(p: Problem) -> Self {
        ApiError::BadRequest(p.detail)
    }
}

impl ApiErrorKind for ApiError {
    fn status_code(&self) -> StatusCode {
        match self {
            ApiError::Validation(_)
            | ApiError::UnknownParticipants(_)
            | ApiError::UnknownTemplate(_)
            | ApiError::NotParticipant(_)
            | ApiError::UndecodableAudio(_)
            | ApiError::EmptyRecording => StatusCode::UNPROCESSABLE_ENTITY,
            ApiError::RecordingTooLarge(_) | ApiError::BodyTooLarge => {
                StatusCode::PAYLOAD_TOO_LARGE
            }
            ApiError::UnsupportedAudio(_) => StatusCode::UNSUPPORTED_MEDIA_TYPE,
            ApiError::BadRequest(_) | ApiError::UploadInterrupted(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::NotOwner(_) => StatusCode::FORBIDDEN,
            ApiError::Transition(_) | ApiError::Concurrent => StatusCode::CONFLICT,
            ApiError::Store(_) | ApiError::Bus(_) | ApiError::Corrupt(_) | ApiError::File(_) => {
                StatusCode::INTERNAL_SERVER_ERROR
            }
        }
    }

    fn code(&self) -> &'static str {
        match self {
            ApiError::Validation(_) => "validation_failed",
            ApiError::BadRequest(_) => "bad_request",
            ApiError::NotFound(_) => "meeting_not_found",
            ApiError::NotOwner(_) => "not_meeting_owner",
            ApiError::UnknownParticipants(_) => "unknown_participants",
            ApiError::UnknownTemplate(_) => "unknown_template",
            ApiError::Transition(_) => "invalid_meeting_transition",
            ApiError::NotParticipant(_) => "not_a_participant",
            ApiError::RecordingTooLarge(_) => "recording_too_large",
            ApiError::BodyTooLarge => "payload_too_large",
            ApiError::UnsupportedAudio(_) => "unsupported_audio_format",
            ApiError::UndecodableAudio(_) => "undecodable_audio",
            ApiError::EmptyRecording => "empty_recording",
            ApiError::UploadInterrupted(_) => "upload_interrupted",
            ApiError::Concurrent => "concurrent_modification",
            ApiError::Store(_) => "storage_error",
            ApiError::Bus(_) => "event_error",
            ApiError::Corrupt(_) => "corrupt_data",
            ApiError::File(_) => "file_error",
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        self.into_problem().into_response()
    }
}
