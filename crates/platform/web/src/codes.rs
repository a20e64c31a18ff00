//! Every error code Quorum answers with, in one table: its HTTP status and what it means.
//! Services, the gateway and the platform crates name a [`Code`]; the status of a problem
//! follows from its code, so the two can never disagree. `docs/errors.md` is generated from
//! this table (`QUORUM_WRITE_DOCS=1 cargo test -p quorum-web errors_md`; a test fails while
//! the file differs from the table).

use axum::http::StatusCode;

macro_rules! codes {
    ($($variant:ident = ($status:ident, $name:literal, $meaning:literal),)*) => {
        /// A stable, snake_case error code (the `code` of a problem document).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Code {
            $($variant,)*
        }

        impl Code {
            /// Every code, in the table's order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as clients see it.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Code::$variant => $name,)*
                }
            }

            /// The HTTP status every problem with this code has.
            pub const fn status(self) -> StatusCode {
                match self {
                    $(Code::$variant => StatusCode::$status,)*
                }
            }

            /// What the code means and what a client can do about it.
            pub const fn meaning(self) -> &'static str {
                match self {
                    $(Code::$variant => $meaning,)*
                }
            }
        }
    };
}

codes! {
    // Requests the server cannot read.
    BadRequest = (BAD_REQUEST, "bad_request", "A path or query parameter is malformed (the message names it)."),
    MalformedJson = (BAD_REQUEST, "malformed_json", "The body is not valid JSON."),
    InvalidPath = (BAD_REQUEST, "invalid_path", "A path segment cannot be read as the type the route expects."),
    InvalidQuery = (BAD_REQUEST, "invalid_query", "The query string cannot be read (an unknown value or a wrong type)."),
    InvalidIdempotencyKey = (BAD_REQUEST, "invalid_idempotency_key", "The `Idempotency-Key` header is empty, too long or not visible ASCII."),
    UnreadableBody = (BAD_REQUEST, "unreadable_body", "The body could not be read (the client went away or the length was wrong)."),
    UploadInterrupted = (BAD_REQUEST, "upload_interrupted", "A recording upload stopped before it was complete; nothing was kept."),
    UnsupportedMediaType = (UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type", "The body needs `Content-Type: application/json`."),
    InvalidBody = (UNPROCESSABLE_ENTITY, "invalid_body", "A JSON field is missing or of the wrong type (the message names it)."),
    ValidationFailed = (UNPROCESSABLE_ENTITY, "validation_failed", "A field is out of range or not allowed (the message names it and the rule)."),
    // Who the caller is.
    Unauthorized = (UNAUTHORIZED, "unauthorized", "The request needs an authenticated caller."),
    InvalidToken = (UNAUTHORIZED, "invalid_token", "The access token is missing, invalid, expired or revoked; refresh it or sign in again."),
    BadCredentials = (UNAUTHORIZED, "bad_credentials", "The e-mail address or password is incorrect (the two are not told apart)."),
    InvalidRefreshToken = (UNAUTHORIZED, "invalid_refresh_token", "The refresh token is invalid, expired or revoked; sign in again."),
    RefreshTokenReused = (UNAUTHORIZED, "refresh_token_reused", "A refresh token was used twice; every session of its family is revoked."),
    ManagementTokenRequired = (UNAUTHORIZED, "management_token_required", "Metrics, build information and health details need `Authorization: Bearer <management.token>`; without a token configured they are served only to clients on the same machine."),
    EmailTaken = (CONFLICT, "email_taken", "A user with this e-mail address already exists."),
    LoginThrottled = (TOO_MANY_REQUESTS, "login_throttled", "Too many failed attempts at this account's password; retry after the seconds in `Retry-After` (the wait doubles with each further failure and ends at the next right password)."),
    WeakPassword = (UNPROCESSABLE_ENTITY, "weak_password", "The new password is too easy to guess (the message says why and what would help)."),
    InvalidConfirmationCode = (UNPROCESSABLE_ENTITY, "invalid_confirmation_code", "The code does not confirm a pending e-mail change: wrong, expired, used up, or none was asked for."),
    // What the caller may do.
    Forbidden = (FORBIDDEN, "forbidden", "The caller may read this transcript but not do this to it (the message says who may)."),
    NotMeetingOwner = (FORBIDDEN, "not_meeting_owner", "Only the meeting's owner may do this."),
    WrongPassword = (FORBIDDEN, "wrong_password", "The current password given to change it is not the account's."),
    TodoForbidden = (FORBIDDEN, "todo_forbidden", "Only the todo's assignee, its creator or the meeting's owner may change it."),
    TodoDeleteForbidden = (FORBIDDEN, "todo_delete_forbidden", "Only the todo's creator or the meeting's owner may delete it (its assignee may only change it)."),
    TodoAssigneeForbidden = (FORBIDDEN, "todo_assignee_forbidden", "A todo may be assigned only to the caller or, for a todo of a meeting the caller takes part in, to one of its participants."),
    // What does not exist (or is hidden from the caller: existence is not revealed).
    NotFound = (NOT_FOUND, "not_found", "No such resource, or the caller may not see it."),
    RouteNotFound = (NOT_FOUND, "route_not_found", "No route of the API matches the path."),
    UserNotFound = (NOT_FOUND, "user_not_found", "No such user."),
    MeetingNotFound = (NOT_FOUND, "meeting_not_found", "No such meeting, or the caller does not take part in it."),
    TranscriptNotFound = (NOT_FOUND, "transcript_not_found", "No such transcript, or the caller may not read it."),
    TodoNotFound = (NOT_FOUND, "todo_not_found", "No such todo, or the caller may not see it."),
    NotificationNotFound = (NOT_FOUND, "notification_not_found", "No such notification, or it is someone else's."),
    TaskNotFound = (NOT_FOUND, "task_not_found", "No such task; tasks expire 24 hours after they finish."),
    // What the request names that cannot be used.
    UnknownParticipants = (UNPROCESSABLE_ENTITY, "unknown_participants", "Participants must be registered users; the message lists the ids that are not."),
    UnknownUsers = (UNPROCESSABLE_ENTITY, "unknown_users", "Sharing needs registered users; the message lists the ids that are not."),
    UnknownTemplate = (UNPROCESSABLE_ENTITY, "unknown_template", "No such meeting template; see `GET /api/meetings/templates`."),
    NotAParticipant = (UNPROCESSABLE_ENTITY, "not_a_participant", "A recording's `participantId` is not a participant of the meeting."),
    IdempotencyKeyReused = (UNPROCESSABLE_ENTITY, "idempotency_key_reused", "The `Idempotency-Key` was used before with a different request body."),
    // Recordings.
    RecordingTooLarge = (PAYLOAD_TOO_LARGE, "recording_too_large", "The recording exceeds `meeting.recording_max_bytes`."),
    PayloadTooLarge = (PAYLOAD_TOO_LARGE, "payload_too_large", "The request body exceeds the route's size limit."),
    UnsupportedAudioFormat = (UNSUPPORTED_MEDIA_TYPE, "unsupported_audio_format", "Not an audio format Quorum reads; the message lists the ones it does."),
    UndecodableAudio = (UNPROCESSABLE_ENTITY, "undecodable_audio", "The audio's container is supported but its content cannot be decoded (truncated or corrupt)."),
    EmptyRecording = (UNPROCESSABLE_ENTITY, "empty_recording", "The recording holds no audio."),
    ImplausibleAudio = (UNPROCESSABLE_ENTITY, "implausible_audio", "The audio claims what no real recording has: a sample rate outside 8–192 kHz, more than 8 channels, or more audio than its size can hold (the message says which)."),
    RecordingTooLong = (UNPROCESSABLE_ENTITY, "recording_too_long", "The recording is longer than `meeting.recording_max_duration_secs`."),
    RecordingQuotaExceeded = (TOO_MANY_REQUESTS, "recording_quota_exceeded", "The caller's recordings of the last 24 hours would exceed `meeting.recording_quota_secs` of audio; retry after the seconds in `Retry-After`."),
    // State.
    InvalidMeetingTransition = (CONFLICT, "invalid_meeting_transition", "The meeting's status does not allow this (e.g. ending a meeting that never started)."),
    InvalidTodoTransition = (CONFLICT, "invalid_todo_transition", "The todo's status does not allow this change."),
    InvalidTaskTransition = (CONFLICT, "invalid_task_transition", "The task's status does not allow this change."),
    InvalidTaskProgress = (BAD_REQUEST, "invalid_task_progress", "A task's progress must have done ≤ total."),
    InvalidTaskKind = (BAD_REQUEST, "invalid_task_kind", "A task kind is 1–32 characters of a–z, 0–9, `-` or `_`."),
    ConcurrentModification = (CONFLICT, "concurrent_modification", "The resource changed while the request was handled; reload it and try again."),
    IdempotencyRequestInProgress = (CONFLICT, "idempotency_request_in_progress", "A request with this `Idempotency-Key` is still being handled; retry later."),
    IdempotencyResponseLost = (CONFLICT, "idempotency_response_lost", "The request with this `Idempotency-Key` was carried out, but its response was not kept (the server stopped or the client went away first); it is not carried out again."),
    ReadOnlyInstance = (MISDIRECTED_REQUEST, "read_only_instance", "This instance serves reads only (`--role read`); send writes to the write group."),
    // Limits and availability.
    RateLimited = (TOO_MANY_REQUESTS, "rate_limited", "Too many requests; retry after the seconds in `Retry-After`."),
    AiBusy = (SERVICE_UNAVAILABLE, "ai_busy", "The AI work queue is full; retry after the seconds in `Retry-After`."),
    TaskStoreUnavailable = (SERVICE_UNAVAILABLE, "task_store_unavailable", "The task store (Redis, in the distributed mode) cannot be reached; retry shortly."),
    AuthUnavailable = (SERVICE_UNAVAILABLE, "auth_unavailable", "The gateway (or, in the distributed mode, the service itself) cannot verify tokens right now (the signing keys or the revocation list cannot be reached); retry shortly."),
    BadGateway = (BAD_GATEWAY, "bad_gateway", "The service behind the route failed to answer."),
    GatewayTimeout = (GATEWAY_TIMEOUT, "gateway_timeout", "The service behind the route did not answer in time."),
    // Failures of the server (logged with their cause; the message never shows it).
    InternalError = (INTERNAL_SERVER_ERROR, "internal_error", "Something failed inside the server; it was logged."),
    StorageError = (INTERNAL_SERVER_ERROR, "storage_error", "The service's database failed."),
    EventError = (INTERNAL_SERVER_ERROR, "event_error", "Recording an event (or a job) for other services failed."),
    CorruptData = (INTERNAL_SERVER_ERROR, "corrupt_data", "Stored data could not be read back."),
    FileError = (INTERNAL_SERVER_ERROR, "file_error", "Storing or reading a recording's file failed."),
    TokenError = (INTERNAL_SERVER_ERROR, "token_error", "Issuing a token failed (the signing keys)."),
    HashingError = (INTERNAL_SERVER_ERROR, "hashing_error", "Hashing or checking a password failed."),
    TaskError = (INTERNAL_SERVER_ERROR, "task_error", "Recording an asynchronous task failed."),
}

impl Code {
    /// `docs/errors.md`: the table as Markdown.
    pub fn markdown() -> String {
        let mut out = String::from(
            "# Error codes\n\n\
             Every error Quorum answers with is an RFC 9457 problem document \
             (`application/problem+json`):\n\n\
             ```json\n\
             {\"type\": \"https://quorum.dev/problems/meeting-not-found\", \"title\": \"Not Found\", \
             \"status\": 404,\n \"detail\": \"meeting `…` was not found\", \"code\": \"meeting_not_found\"}\n\
             ```\n\n\
             `code` is stable and snake_case: branch on it, not on `detail`, which is written \
             for people and may change. A 5xx problem never shows its cause (the server logs it). This page is generated from the table in \
             `crates/platform/web/src/codes.rs`; a test fails while they differ.\n\n\
             | code | status | meaning |\n|---|---|---|\n",
        );
        for code in Code::ALL {
            let status = code.status();
            out.push_str(&format!(
                "| `{}` | {} {} | {} |\n",
                code.name(),
                status.as_u16(),
                status.canonical_reason().unwrap_or_default(),
                code.meaning()
            ));
        }
        out
    }
}

impl std::fmt::Display for Code {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::Code;

    #[test]
    fn codes_are_unique_snake_case_and_described() {
        let mut seen = HashSet::new();
        for code in Code::ALL {
            let name = code.name();
            assert!(seen.insert(name), "`{name}` is listed twice");
            assert!(
                name.chars().all(|c| c.is_ascii_lowercase() || c == '_'),
                "`{name}` is not snake_case"
            );
            assert!(code.status().is_client_error() || code.status().is_server_error());
            assert!(
                code.meaning().ends_with('.'),
                "`{name}`: {}",
                code.meaning()
            );
        }
    }

    #[test]
    fn errors_md_is_generated_from_the_table() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../docs/errors.md");
        let expected = Code::markdown();
        if std::env::var_os("QUORUM_WRITE_DOCS").is_some() {
            std::fs::write(path, &expected).expect("write docs/errors.md");
        }
        let actual = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            actual == expected,
            "docs/errors.md differs from the error-code table; regenerate it with \
             `QUORUM_WRITE_DOCS=1 cargo test -p quorum-web errors_md`"
        );
    }
}
