//! What the scripts of the pages talk to: the live streams (Server-Sent Events passed on
//! from the API with the session's token, which never reaches the browser) and the
//! recording upload (passed on to the API as it arrives, answered with a sentence).
//!
//! - `GET /live`: the user's notifications (`/api/notifications/stream`);
//! - `GET /live/unread`: `{"unread": n}`, the bell's count when a page opens;
//! - `GET /meetings/{id}/progress`: the speech-to-text task of the meeting's recording
//!   (`/api/transcripts/tasks/{taskId}/events`) while it is transcribed; `204 No Content`
//!   when there is nothing to follow (an `EventSource` then stops asking);
//! - `POST /meetings/{id}/recording`: one track, the body as the browser sends it;
//! - `GET /meetings/{id}/recordings/{recordingId}/audio`: a track for the player, by byte
//!   ranges.

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::api::Outgoing;
use crate::i18n::Tr;
use crate::pages::errors::tr;
use crate::session::SignedIn;
use crate::AppState;

/// The API's answer when it is an event stream; `204` (stop following) otherwise.
fn passed_on(res: Result<Response, crate::api::ApiFailure>) -> Response {
    match res {
        Ok(res)
            if res.status() == StatusCode::OK
                && res
                    .headers()
                    .get(header::CONTENT_TYPE)
                    .and_then(|v| v.to_str().ok())
                    .is_some_and(|v| v.starts_with("text/event-stream")) =>
        {
            let (mut parts, body) = res.into_parts();
            // Proxies between here and the browser must not hold the stream back.
            parts
                .headers
                .insert("x-accel-buffering", HeaderValue::from_static("no"));
            Response::from_parts(parts, body)
        }
        _ => StatusCode::NO_CONTENT.into_response(),
    }
}

/// `GET /live/unread`: how many of the user's notifications are unread, for the bell (the
/// script asks once when a page opens and counts the new ones the stream brings).
pub(crate) async fn unread(State(state): State<AppState>, user: SignedIn) -> Response {
    match user
        .get::<crate::api::Page<serde::de::IgnoredAny>>(
            &state,
            "/api/notifications?unread=true&size=1",
        )
        .await
    {
        Ok(page) => Json(json!({ "unread": page.total })).into_response(),
        Err(e) if e.is_unauthorized() => StatusCode::UNAUTHORIZED.into_response(),
        Err(_) => StatusCode::SERVICE_UNAVAILABLE.into_response(),
    }
}

pub(crate) async fn notifications(State(state): State<AppState>, user: SignedIn) -> Response {
    let stream = user
        .open(
            &state,
            Method::GET,
            "/api/notifications/stream",
            Outgoing::new(Body::empty()),
        )
        .await;
    passed_on(stream)
}

pub(crate) async fn progress(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<Uuid>() else {
        return StatusCode::NO_CONTENT.into_response();
    };
    // `202` with the task while the recording is being transcribed.
    let path = format!("/api/transcripts?meetingId={id}");
    let task = match user.send(&state, Method::GET, &path, None).await {
        Ok(r) if r.status == StatusCode::ACCEPTED => r
            .body
            .get("taskId")
            .and_then(Value::as_str)
            .map(str::to_owned),
        _ => None,
    };
    let Some(task) = task else {
        return StatusCode::NO_CONTENT.into_response();
    };
    let path = format!(
        "/api/transcripts/tasks/{}/events",
        form_urlencoded::byte_serialize(task.as_bytes()).collect::<String>()
    );
    passed_on(
        user.open(&state, Method::GET, &path, Outgoing::new(Body::empty()))
            .await,
    )
}

/// A recording's audio for the page's player, by byte ranges (`Range` passed on, `206` passed
/// back), so the player seeks without downloading the whole file.
pub(crate) async fn audio(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    Path((meeting, recording)): Path<(String, String)>,
) -> Response {
    let (Ok(meeting), Ok(recording)) = (meeting.parse::<Uuid>(), recording.parse::<Uuid>()) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let path = format!("/api/meetings/{meeting}/recordings/{recording}/audio");
    let outgoing = Outgoing::new(Body::empty()).passing(
        &headers,
        &[header::RANGE, header::IF_RANGE, header::IF_MODIFIED_SINCE],
    );
    match user.open(&state, Method::GET, &path, outgoing).await {
        Ok(res) => res,
        Err(_) => StatusCode::BAD_GATEWAY.into_response(),
    }
}

/// What an upload's answer says, in the user's language.
fn upload_message(tr: &Tr<'_>, status: StatusCode, body: &Value) -> String {
    match status {
        StatusCode::CREATED => {
            let ms = body.get("durationMs").and_then(Value::as_i64).unwrap_or(0);
            let s = ms / 1000;
            let length = format!("{}:{:02}", s / 60, s % 60);
            tr.f("record.uploaded", &[("length", &length)])
        }
        StatusCode::PAYLOAD_TOO_LARGE => tr.text("record.error.too_large"),
        StatusCode::UNSUPPORTED_MEDIA_TYPE => tr.text("record.error.format"),
        StatusCode::UNPROCESSABLE_ENTITY if body["code"] == "recording_too_long" => {
            tr.text("record.error.too_long")
        }
        StatusCode::UNPROCESSABLE_ENTITY => tr.text("record.error.undecodable"),
        StatusCode::TOO_MANY_REQUESTS if body["code"] == "recording_quota_exceeded" => {
            tr.text("record.error.quota")
        }
        StatusCode::CONFLICT => tr.text("record.error.state"),
        _ => tr.text("record.failed"),
    }
}

pub(crate) async fn upload(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
    body: Body,
) -> Response {
    let tr = tr(&state, &headers, Some(&user.session));
    let Ok(id) = id.parse::<Uuid>() else {
        let message = tr.t("record.failed");
        return (StatusCode::NOT_FOUND, Json(json!({ "message": message }))).into_response();
    };
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .cloned()
        .unwrap_or(HeaderValue::from_static("application/octet-stream"));
    let outgoing = Outgoing::new(body)
        .typed(content_type)
        .sized(headers.get(header::CONTENT_LENGTH).cloned());
    let path = format!("/api/meetings/{id}/recording");
    let (status, answer) = match user.open(&state, Method::POST, &path, outgoing).await {
        Ok(res) => {
            let status = res.status();
            let bytes = axum::body::to_bytes(res.into_body(), 64 * 1024)
                .await
                .unwrap_or_default();
            (
                status,
                serde_json::from_slice(&bytes).unwrap_or(Value::Null),
            )
        }
        Err(e) => {
            tracing::warn!(error = %e, "a recording could not be passed on");
            (StatusCode::BAD_GATEWAY, Value::Null)
        }
    };
    if !status.is_success() && status != StatusCode::UNAUTHORIZED {
        tracing::info!(%status, problem = %answer, "a recording was refused");
    }
    let message = upload_message(&tr, status, &answer);
    (status, Json(json!({ "message": message }))).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Catalogues, Locale};

    #[test]
    fn an_upload_is_answered_in_words_with_its_length() {
        let c = Catalogues::load();
        let tr = Tr::new(&c, Locale::En, crate::zone::Zone::utc());
        let ok = upload_message(&tr, StatusCode::CREATED, &json!({ "durationMs": 83_400 }));
        assert!(ok.contains("1:23"), "{ok}");
        let big = upload_message(&tr, StatusCode::PAYLOAD_TOO_LARGE, &Value::Null);
        assert_ne!(big, tr.t("record.failed"));
        assert!(!big.starts_with("record."), "{big}");
        let refusal = |status, code: &str| upload_message(&tr, status, &json!({ "code": code }));
        let long = refusal(StatusCode::UNPROCESSABLE_ENTITY, "recording_too_long");
        assert!(long.contains("longer than"), "{long}");
        let quota = refusal(StatusCode::TOO_MANY_REQUESTS, "recording_quota_exceeded");
        assert!(quota.contains("today"), "{quota}");
        let throttled = refusal(StatusCode::TOO_MANY_REQUESTS, "rate_limited");
        assert_eq!(throttled, tr.t("record.failed"));
    }
}
