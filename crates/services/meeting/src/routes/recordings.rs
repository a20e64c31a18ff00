//! Recordings: `POST /api/meetings/{id}/recording` streams one audio track to disk (raw body
//! or `multipart/form-data` with a `file` field) and `GET /api/meetings/{id}/recordings`
//! lists them.
//!
//! An upload is checked before its body is read (the caller takes part, the meeting is not
//! cancelled, the speaker is a participant, the declared length fits), streamed and sniffed
//! (`crate::recording`), decoded once to learn its duration, then renamed into place and
//! recorded in one transaction with its event. A refused upload's remaining body is drained
//! within bounds, else the connection is closed.

use axum::extract::{FromRequest, Multipart, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use quorum_store::now_millis;
use quorum_web::{parse_id, CurrentUser, Json, Page, PageParams, Path, PathId, Query, TypedId};
use uuid::Uuid;

use crate::app::{authorize, AppState, Who};
use crate::domain::{Action, MeetingId, MeetingStatus, ValidationError};
use crate::error::ApiError;
use crate::events;
use crate::recording::{self, Received};
use crate::repository::{self, recordings, recordings::RecordingRecord};
use crate::views::{RecordingView, UploadParams};

/// Room for the multipart envelope (boundaries, part headers, a `participantId`) around the
/// audio, in the body limit of multipart uploads.
pub(crate) const MULTIPART_SLACK: u64 = 64 * 1024;

/// Uploads one recording (a track) of the meeting; the owner or any participant, unless the
/// meeting was cancelled. The body is the audio itself (any `Content-Type`) or
/// `multipart/form-data` with a `file` field and an optional `participantId` field.
#[utoipa::path(
    post, path = "/api/meetings/{id}/recording", tag = "meetings",
    params(("id" = String, Path, description = "meeting id"), UploadParams),
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
        (status = 404, description = "unknown, or the caller does not take part", body = quorum_web::Problem),
        (status = 409, description = "the meeting was cancelled", body = quorum_web::Problem),
        (status = 413, description = "over `meeting.recording_max_bytes`", body = quorum_web::Problem),
        (status = 415, description = "not a supported audio format", body = quorum_web::Problem),
        (status = 422, description = "empty or undecodable audio, or `participantId` is not a participant", body = quorum_web::Problem),
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
    params(("id" = String, Path, description = "meeting id"), PageParams),
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
        ("id" = String, Path, description = "meeting id"),
        ("recordingId" = String, Path, description = "recording id"),
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

/// An admitted upload: who sends it, for which meeting, as whose track.
struct Upload {
    meeting: MeetingId,
    caller: Uuid,
    speaker: Uuid,
    /// Whether `speaker` was named (query or form) rather than defaulted to the caller.
    speaker_given: bool,
    participants: Vec<Uuid>,
    id: Uuid,
}

impl Upload {
    /// Checks everything knowable before the body: 404 when the caller does not take part,
    /// 409 when cancelled, 422 when `speaker` is not a participant, 413 from the length.
    async fn admit(
        state: &AppState,
        caller: Uuid,
        raw_id: &str,
        speaker: Option<Uuid>,
        declared: Option<u64>,
        multipart: bool,
    ) -> Result<Self, ApiError> {
        let meeting = MeetingId::from(parse_id(raw_id, MeetingId::WHAT)?);
        let (record, participants) = state.visible(caller, meeting).await?;
        record.status.apply(Action::Record)?;
        let max = state.recordings.max_bytes();
        let allowed = if multipart {
            max.saturating_add(MULTIPART_SLACK)
        } else {
            max
        };
        if declared.is_some_and(|n| n > allowed) {
            return Err(ApiError::RecordingTooLarge(max));
        }
        let mut upload = Self {
            meeting,
            caller,
            speaker: caller,
            speaker_given: false,
            participants: participants.into_iter().map(|p| p.user_id).collect(),
            id: Uuid::now_v7(),
        };
        if let Some(speaker) = speaker {
            upload.speak_as(speaker)?;
        }
        Ok(upload)
    }

    fn speak_as(&mut self, speaker: Uuid) -> Result<(), ApiError> {
        if !self.participants.contains(&speaker) {
            return Err(ApiError::NotParticipant(speaker));
        }
        self.speaker = speaker;
        self.speaker_given = true;
        Ok(())
    }

    async fn raw(
        self,
        state: &AppState,
        body: &mut axum::body::BodyDataStream,
        declared: Option<u64>,
    ) -> Result<RecordingView, ApiError> {
        let received = state
            .recordings
            .receive(self.meeting.as_uuid(), self.id, body)
            .await?;
        if let Some(n) = declared.filter(|n| *n != received.size) {
            return Err(ApiError::UploadInterrupted(format!(
                "received {} of the {n} bytes announced by Content-Length",
                received.size
            )));
        }
        self.store(state, received).await
    }

    async fn multipart(
        mut self,
        state: &AppState,
        multipart: &mut Multipart,
    ) -> Result<RecordingView, ApiError> {
        let mut received: Option<Received> = None;
        while let Some(mut field) = multipart
            .next_field()
            .await
            .map_err(recording::multipart_error)?
        {
            let name = field.name().unwrap_or_default().to_owned();
            match name.as_str() {
                "file" if received.is_some() => {
                    return Err(ValidationError("send one `file` per upload".into()).into());
                }
                "file" => {
                    let meeting = self.meeting.as_uuid();
                    received = Some(
                        state
                            .recordings
                            .receive(meeting, self.id, &mut field)
                            .await?,
                    );
                }
                "participantId" => {
                    let speaker = uuid_field(&mut field).await?;
                    if self.speaker_given && self.speaker != speaker {
                        return Err(ApiError::BadRequest(
                            "`participantId` differs between the query and the form".into(),
                        ));
                    }
                    self.speak_as(speaker)?;
                }
                _ => {} // other fields are skipped by the next `next_field`
            }
        }
        let received = received.ok_or_else(|| {
            ValidationError("a multipart upload needs a `file` field with the audio".into())
        })?;
        self.store(state, received).await
    }

    /// Decodes the file to check and measure it, then moves it into place and records it.
    /// The last step runs as its own task so a client that goes away cannot interrupt it
    /// half-way; it either commits the row with the file kept or removes the file.
    async fn store(self, state: &AppState, received: Received) -> Result<RecordingView, ApiError> {
        let path = received.file.path().to_owned();
        let probe = tokio::task::spawn_blocking(move || quorum_audio::probe(&path))
            .await
            .map_err(|e| ApiError::File(std::io::Error::other(e)))??;
        let state = state.clone();
        let task = tokio::spawn(async move { self.finalize(&state, received, probe).await });
        task.await
            .map_err(|e| ApiError::File(std::io::Error::other(e)))?
    }

    async fn finalize(
        self,
        state: &AppState,
        received: Received,
        probe: quorum_audio::Probe,
    ) -> Result<RecordingView, ApiError> {
        let Received {
            mut file,
            size,
            sha256,
        } = received;
        let format = probe.format.as_str();
        file.rename(&format!("{}.{format}", self.id)).await?;
        let now = now_millis();
        let record = RecordingRecord {
            id: self.id,
            meeting_id: self.meeting.as_uuid(),
            participant_id: self.speaker,
            uploaded_by: self.caller,
            format: format.to_string(),
            size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
            sha256,
            duration_ms: i64::try_from(probe.duration_ms).unwrap_or(i64::MAX),
            path: file.path().to_string_lossy().into_owned(),
            created_at: now,
        };
        let mut tx = state.db.begin().await?;
        // Serializes with `end`: whichever commits second sees the other's write, so every
        // recording is in `meeting.ended` or has its own `meeting.recording_added`.
        repository::touch(&mut tx, self.meeting.as_uuid()).await?;
        let (meeting, participants) =
            authorize(&mut tx, self.caller, self.meeting, Who::Participant).await?;
        meeting.status.apply(Action::Record)?;
        if !participants.contains(&self.speaker) {
            return Err(ApiError::NotParticipant(self.speaker));
        }
        recordings::insert(&mut tx, &record).await?;
        let after_end = matches!(
            meeting.status,
            MeetingStatus::Ended | MeetingStatus::MinutesReady
        );
        if after_end {
            events::recording_added(&state.outbox, &mut tx, &meeting, &participants, now).await?;
        }
        tx.commit().await?;
        file.keep();
        if after_end {
            state.outbox.committed();
        }
        tracing::info!(meeting = %self.meeting, recording = %self.id, format, size, "recording stored");
        Ok(RecordingView::from(record))
    }
}

/// A short text field holding a UUID (read in bounded chunks, never the whole field).
async fn uuid_field(field: &mut axum::extract::multipart::Field<'_>) -> Result<Uuid, ApiError> {
    const MAX: usize = 64;
    let mut text = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(recording::multipart_error)? {
        text.extend_from_slice(&chunk);
        if text.len() > MAX {
            return Err(ValidationError("`participantId` must be a UUID".into()).into());
        }
    }
    let text = String::from_utf8_lossy(&text);
    Uuid::parse_str(text.trim()).map_err(|_| {
        ValidationError(format!(
            "`participantId` `{}` is not a valid UUID",
            text.trim()
        ))
        .into()
    })
}

/// A refusal; the connection closes when the rest of the body could not be drained.
fn refused(e: ApiError, drained: bool) -> Response {
    let mut res = e.into_response();
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
