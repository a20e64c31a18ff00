//! Recordings: `POST /api/meetings/{id}/recording` streams one audio track to disk (raw body
//! or `multipart/form-data` with a `file` field) and `GET /api/meetings/{id}/recordings`
//! lists them.
//!
//! An upload is checked before its body is read (the caller takes part, the meeting is not
//! cancelled, the speaker is the caller or — named by the owner — a participant, the declared
//! length fits, the caller's quota is not used up), streamed and sniffed (`crate::recording`),
//! decoded once within the limits to learn its duration, then renamed into place and recorded
//! in one transaction with its charge and its event (`upload.rs`). A refused upload's
//! remaining body is drained within bounds, else the connection is closed.

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use quorum_web::{parse_id, CurrentUser, Json, Page, PageParams, Path, PathId, Query, TypedId};

use super::upload::Upload;
use crate::app::AppState;
use crate::domain::MeetingId;
use crate::error::ApiError;
use crate::recording;
use crate::repository::recordings;
use crate::views::{RecordingView, UploadParams};

/// Room for the multipart envelope (boundaries, part headers, a `participantId`) around the
/// audio, in the body limit of multipart uploads.
pub(crate) const MULTIPART_SLACK: u64 = 64 * 1024;

/// Uploads one recording (a track) of the meeting; the owner or any participant, unless the
/// meeting was cancelled. The body is the audio itself (any `Content-Type`) or
/// `multipart/form-data` with a `file` field and an optional `participantId` field. The track
/// is the uploader's own; only the owner may name another participant as its speaker. It may
/// last up to `meeting.recording_max_duration_secs`, and each user may upload
/// `meeting.recording_quota_secs` of audio in any 24 hours.
#[utoipa::path(
    post, path = "/api/meetings/{id}/recording", tag = "meetings",
    params(("id" = uuid::Uuid, Path, description = "meeting id"), UploadParams),
    request_body(
        description = "WAV, FLAC, MP3, Ogg, M4A or WebM audio: the raw body, or a multipart form",
        content(
            (crate::views::AudioBody = "application/octet-stream"),
            (crate::views::AudioBody = "audio/*"),
            (crate::views::UploadForm = "multipart/form-data"),
        )
    ),
    responses(
        (status = 201, body = RecordingView),
        (status = 400, description = "malformed multipart body or interrupted upload", body = quorum_web::Problem),
        (status = 403, description = "`participantId` names someone else and the caller is not the owner (`not_meeting_owner`)", body = quorum_web::Problem),
        (status = 404, description = "unknown, or the caller does not take part", body = quorum_web::Problem),
        (status = 409, description = "the meeting was cancelled", body = quorum_web::Problem),
        (status = 413, description = "over `meeting.recording_max_bytes`", body = quorum_web::Problem),
        (status = 415, description = "not a supported audio format", body = quorum_web::Problem),
        (status = 422, description = "empty, undecodable or implausible audio (a sample rate outside 8–192 kHz, more than 8 channels, more audio than its size can hold), longer than `meeting.recording_max_duration_secs`, or `participantId` is not a participant", body = quorum_web::Problem),
        (status = 429, description = "the caller's quota of audio for 24 hours (`meeting.recording_quota_secs`) would be exceeded; `Retry-After` says when there is room", body = quorum_web::Problem,
            headers(("Retry-After" = u64, description = "seconds until the quota has room"))),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, meeting = %id))]
pub(crate) async fn upload(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    Path(id): Path<String>,
    Query(params): Query<UploadParams>,
    req: Request,
) -> Response {
    let declared = content_length(req.headers());
    let outcome = if is_multipart(req.headers()) {
        let mut multipart = match Multipart::from_request(req, &()).await {
            Ok(m) => m,
            Err(rejection) => {
                return refused(ApiError::BadRequest(rejection.body_text()), false);
            }
        };
        let upload = Upload::admit(&state, caller, &id, params.participant_id, declared, true);
        match upload.await {
            Ok(upload) => match upload.multipart(&state, &mut multipart).await {
                Ok(view) => Ok(view),
                Err(e) => Err((e, recording::drain_multipart(&mut multipart).await)),
            },
            Err(e) => Err((e, recording::drain_multipart(&mut multipart).await)),
        }
    } else {
        let mut body = req.into_body().into_data_stream();
        let upload = Upload::admit(&state, caller, &id, params.participant_id, declared, false);
        match upload.await {
            Ok(upload) => match upload.raw(&state, &mut body, declared).await {
                Ok(view) => Ok(view),
                Err(e) => Err((e, recording::drain(&mut body).await)),
            },
            Err(e) => Err((e, recording::drain(&mut body).await)),
        }
    };
    match outcome {
        Ok(view) => (StatusCode::CREATED, Json(view)).into_response(),
        Err((e, drained)) => refused(e, drained),
    }
}

/// The meeting's recordings in upload order (participants only).
#[utoipa::path(
    get, path = "/api/meetings/{id}/recordings", tag = "meetings",
    params(("id" = uuid::Uuid, Path, description = "meeting id"), PageParams),
    responses(
        (status = 200, body = crate::views::RecordingPage),
        (status = 404, description = "unknown, or the caller does not take part", body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, meeting = %id))]
pub(crate) async fn list(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    PathId(id): PathId<MeetingId>,
    Query(page): Query<PageParams>,
) -> Result<Json<Page<RecordingView>>, ApiError> {
    let req = page.validate()?;
    state.visible(caller, id).await?;
    let mut conn = state.db.reader().acquire().await?;
    let total = recordings::count_of(&mut conn, id.as_uuid()).await?;
    let rows = recordings::page_of(&mut conn, id.as_uuid(), req.limit(), req.offset()).await?;
    let items = rows.into_iter().map(RecordingView::from).collect();
    Ok(Json(Page::new(items, req, total)))
}

/// The `Content-Type` of a stored format.
fn audio_type(format: &str) -> &'static str {
    match format {
        "wav" => "audio/wav",
        "flac" => "audio/flac",
        "mp3" => "audio/mpeg",
        "ogg" => "audio/ogg",
        "m4a" => "audio/mp4",
        "webm" => "audio/webm",
        _ => "application/octet-stream",
    }
}

/// A recording's audio, for playback: byte ranges (`Range: bytes=…` → `206`), so a player
/// can seek without downloading the whole file. Participants only.
#[utoipa::path(
    get, path = "/api/meetings/{id}/recordings/{recordingId}/audio", tag = "meetings",
    params(
        ("id" = uuid::Uuid, Path, description = "meeting id"),
        ("recordingId" = uuid::Uuid, Path, description = "recording id"),
        ("Range" = Option<String>, Header, description = "`bytes=start-end`, for part of the file"),
    ),
    responses(
        (status = 200, description = "the whole file", content_type = "audio/*", body = Vec<u8>),
        (status = 206, description = "the range asked for (`Content-Range`)", content_type = "audio/*", body = Vec<u8>),
        (status = 404, description = "unknown, or the caller does not take part", body = quorum_web::Problem),
        (status = 416, description = "the range is outside the file"),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, meeting = %path.0))]
pub(crate) async fn audio(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    Path(path): Path<(String, String)>,
    req: Request,
) -> Result<Response, ApiError> {
    let meeting = MeetingId::from(parse_id(&path.0, MeetingId::WHAT)?);
    let recording = parse_id(&path.1, "recording id")?;
    state.visible(caller, meeting).await?;
    let mut conn = state.db.reader().acquire().await?;
    let found = recordings::one_of(&mut conn, meeting.as_uuid(), recording).await?;
    drop(conn);
    let not_found =
        || ApiError::NotFound(format!("recording `{recording}` of meeting `{meeting}`"));
    let r = found.ok_or_else(not_found)?;
    // Only what playback needs goes on to the file server: the range and its validators.
    let mut get = Request::new(axum::body::Body::empty());
    for name in [header::RANGE, header::IF_RANGE, header::IF_MODIFIED_SINCE] {
        if let Some(v) = req.headers().get(&name) {
            get.headers_mut().insert(name, v.clone());
        }
    }
    let served = tower::ServiceExt::oneshot(tower_http::services::ServeFile::new(&r.path), get)
        .await
        .map_err(|e| ApiError::corrupt(e.to_string()))?;
    if served.status() == StatusCode::NOT_FOUND {
        tracing::warn!(recording = %r.id, "a recorded file is missing from storage");
        return Err(not_found());
    }
    let mut res = served.map(axum::body::Body::new);
    res.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(audio_type(&r.format)),
    );
    res.headers_mut().insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("private, max-age=3600"),
    );
    Ok(res)
}

/// A refusal; the connection closes when the rest of the body could not be drained.
fn refused(e: ApiError, drained: bool) -> Response {
    let retry_after = match &e {
        ApiError::QuotaExceeded {
            retry_after_secs, ..
        } => Some(HeaderValue::from(*retry_after_secs)),
        _ => None,
    };
    let mut res = e.into_response();
    if let Some(seconds) = retry_after {
        res.headers_mut().insert(header::RETRY_AFTER, seconds);
    }
    if !drained {
        res.headers_mut()
            .insert(header::CONNECTION, HeaderValue::from_static("close"));
    }
    res
}

fn is_multipart(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| {
            v.trim_start()
                .to_ascii_lowercase()
                .starts_with("multipart/form-data")
        })
}

fn content_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}
