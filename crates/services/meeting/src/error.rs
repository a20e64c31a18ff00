//! The service's errors: [`ApiError`] for requests (one match to its error code, from
//! `quorum_web::Code`, which decides the status) and
//! [`BuildError`] for start-up.

use quorum_store::StoreError;
use quorum_web::{ApiErrorKind, Code};

use crate::domain::{TransitionError, ValidationError};

/// Why [`crate::build`] failed.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    #[error("meeting database migration failed")]
    Migrate(#[source] StoreError),
    #[error("invalid setting: {0}")]
    Settings(String),
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
    /// A sample rate, channel count or length no real recording has.
    #[error("{0}")]
    ImplausibleAudio(String),
    /// Longer than `meeting.recording_max_duration_secs` (the limit, in milliseconds).
    #[error("the recording is longer than the limit of {}", clock(*.0))]
    RecordingTooLong(u64),
    /// The uploader's recordings of the last 24 hours would exceed
    /// `meeting.recording_quota_secs`; room frees up after `retry_after_secs`.
    #[error("{message}")]
    QuotaExceeded {
        message: String,
        retry_after_secs: u64,
    },
    /// The body stopped before it was complete (client gone, length mismatch).
    #[error("the upload was interrupted: {0}")]
    UploadInterrupted(String),
    /// The row changed between read and write (lost a race); the client may retry.
    #[error("the meeting was changed concurrently; reload it and try again")]
    Concurrent,
    #[error("storing the recording failed")]
    File(#[from] std::io::Error),
    /// Storage, messaging or stored data: a logged 500.
    #[error(transparent)]
    Failure(#[from] quorum_service::Failure),
}

impl From<quorum_audio::AudioError> for ApiError {
    fn from(e: quorum_audio::AudioError) -> Self {
        use quorum_audio::AudioError;
        match e {
            AudioError::Unsupported(m) => ApiError::UnsupportedAudio(m),
            AudioError::Undecodable(m) => ApiError::UndecodableAudio(m),
            AudioError::Empty => ApiError::EmptyRecording,
            AudioError::Implausible(m) => ApiError::ImplausibleAudio(m),
            AudioError::TooLong { max_ms } => ApiError::RecordingTooLong(max_ms),
            AudioError::Io(e) => ApiError::File(e),
        }
    }
}

impl ApiErrorKind for ApiError {
    fn code(&self) -> Code {
        match self {
            ApiError::Validation(_) => Code::ValidationFailed,
            ApiError::BadRequest(_) => Code::BadRequest,
            ApiError::NotFound(_) => Code::MeetingNotFound,
            ApiError::NotOwner(_) => Code::NotMeetingOwner,
            ApiError::UnknownParticipants(_) => Code::UnknownParticipants,
            ApiError::UnknownTemplate(_) => Code::UnknownTemplate,
            ApiError::Transition(_) => Code::InvalidMeetingTransition,
            ApiError::NotParticipant(_) => Code::NotAParticipant,
            ApiError::RecordingTooLarge(_) => Code::RecordingTooLarge,
            ApiError::BodyTooLarge => Code::PayloadTooLarge,
            ApiError::UnsupportedAudio(_) => Code::UnsupportedAudioFormat,
            ApiError::UndecodableAudio(_) => Code::UndecodableAudio,
            ApiError::EmptyRecording => Code::EmptyRecording,
            ApiError::ImplausibleAudio(_) => Code::ImplausibleAudio,
            ApiError::RecordingTooLong(_) => Code::RecordingTooLong,
            ApiError::QuotaExceeded { .. } => Code::RecordingQuotaExceeded,
            ApiError::UploadInterrupted(_) => Code::UploadInterrupted,
            ApiError::Concurrent => Code::ConcurrentModification,
            ApiError::Failure(f) => f.code(),
            ApiError::File(_) => Code::FileError,
        }
    }
}

quorum_service::service_error!(ApiError);

/// A length for messages: `4 h`, `1 h 30 min`, `45 min`, `20 s`.
pub(crate) fn clock(ms: u64) -> String {
    let s = ms / 1000;
    match (s / 3600, (s / 60) % 60) {
        (0, 0) => format!("{s} s"),
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}
