//! A meeting's minutes: the summary, decisions and action items (each linked to the
//! transcript line it was found in), the transcript by speaker
//! with its times — and what a participant does with them: correct a section, verify it;
//! what the owner does: share the minutes with a colleague by e-mail, and revoke the share.
//! A colleague they were shared with reads the transcript on the same address.
//!
//! Every action posts a form and comes back to the meeting's page, at the section or card it
//! changed (post/redirect/get).

use axum::body::Body;
use axum::extract::{Path, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::api::{ApiFailure, Outgoing, Page, Reply};
use crate::csrf::CsrfToken;
use crate::i18n::Tr;
use crate::pages::layout::csrf_field;
use crate::session::SignedIn;
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Analysis {
    summary: String,
    action_items: Vec<ActionItem>,
    decisions: Vec<String>,
    /// The transcript section each decision came from (same order as `decisions`).
    #[serde(default)]
    decision_sections: Vec<Option<u32>>,
    #[serde(default)]
    schedule_suggestions: Vec<Suggestion>,
}

/// A suggested follow-up meeting.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Suggestion {
    id: Uuid,
    title: String,
    start: chrono::DateTime<chrono::Utc>,
    duration_minutes: u32,
    #[serde(default)]
    participant_ids: Vec<Uuid>,
    #[serde(default)]
    reason: String,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ActionItem {
    title: String,
    #[serde(default)]
    assignee_name: Option<String>,
    #[serde(default)]
    due_date: Option<chrono::NaiveDate>,
    /// The transcript section it came from.
    #[serde(default)]
    section_index: Option<u32>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Transcript {
    pub(crate) meeting_title: String,
    status: String,
    sections: Vec<Section>,
    #[serde(default)]
    shared_with: Vec<Uuid>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Section {
    index: u32,
    #[serde(default)]
    speaker: Option<String>,
    #[serde(default)]
    speaker_id: Option<Uuid>,
    #[serde(default)]
    start_ms: Option<i64>,
    #[serde(default)]
    end_ms: Option<i64>,
    text: String,
    #[serde(default)]
    verified: bool,
}

/// A recording of the meeting (one speaker's track), as the API lists it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recording {
    id: Uuid,
    participant_id: Uuid,
    duration_ms: i64,
}

/// A track the page plays, with its speaker's name.
struct Track {
    id: Uuid,
    speaker: Uuid,
    name: String,
    duration_ms: i64,
}

/// A colleague the minutes were shared with.
struct Reader {
    id: Uuid,
    name: String,
}

/// What the minutes part of a meeting's page shows.
pub(crate) struct Minutes {
    pub(crate) analysis: Option<Analysis>,
    transcript: Option<Transcript>,
    /// The colleagues they were shared with (read for the owner only).
    readers: Vec<Reader>,
    /// The meeting's recordings, for playback (participants only).
    tracks: Vec<Track>,
}

impl Minutes {
    /// The minutes as a colleague they were shared with reads them: the transcript.
    pub(crate) fn shared(transcript: Transcript) -> Self {
        Self {
            analysis: None,
            transcript: Some(transcript),
            readers: Vec::new(),
            tracks: Vec::new(),
        }
    }
}

/// The errors the minutes' actions may send the page back with.
pub(crate) const ERRORS: &[&str] = &["minutes.error.unknown_reader", "minutes.error.section_text"];

fn transcript_path(meeting: Uuid) -> String {
    format!("/api/transcripts?meetingId={meeting}")
}

/// The meeting's transcript, when the caller may read it (a participant, or a colleague it
/// was shared with).
pub(crate) async fn transcript(
    state: &AppState,
    user: &SignedIn,
    meeting: Uuid,
) -> Result<Transcript, ApiFailure> {
    user.get(state, &transcript_path(meeting)).await
}

/// The minutes of `meeting`, as far as they exist; `names` are its participants'.
pub(crate) async fn load(
    state: &AppState,
    user: &SignedIn,
    meeting: Uuid,
    owner: bool,
    names: Vec<(Uuid, String)>,
) -> Minutes {
    let analysis_path = format!("/api/ai/meetings/{meeting}/analysis");
    let recordings_path = format!("/api/meetings/{meeting}/recordings?size=100");
    let (analysis, transcript, recordings) = tokio::join!(
        user.get::<Analysis>(state, &analysis_path),
        self::transcript(state, user, meeting),
        user.get::<Page<Recording>>(state, &recordings_path),
    );
    let tracks = recordings
        .map(|page| page.items)
        .unwrap_or_default()
        .into_iter()
        .map(|r| Track {
            id: r.id,
            speaker: r.participant_id,
            name: names
                .iter()
                .find(|(id, _)| *id == r.participant_id)
                .map_or_else(String::new, |(_, name)| name.clone()),
            duration_ms: r.duration_ms,
        })
        .collect();
    let transcript = transcript.ok();
    let mut readers = Vec::new();
    if owner {
        for id in transcript.iter().flat_map(|t| &t.shared_with) {
            let name = match user
                .send(state, Method::GET, &format!("/api/users/{id}"), None)
                .await
            {
                Ok(r) => r
                    .body
                    .get("name")
                    .and_then(Value::as_str)
                    .map(str::to_owned),
                Err(_) => None,
            };
            readers.push(Reader {
                id: *id,
                name: name.unwrap_or_else(|| id.to_string()),
            });
        }
    }
    Minutes {
        analysis: analysis.ok(),
        transcript,
        readers,
        tracks,
    }
}

/// `12:05` (or `1:02:03`) from milliseconds.
fn clock(ms: i64) -> String {
    let s = ms.max(0) / 1000;
    if s >= 3600 {
        format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60)
    } else {
        format!("{}:{:02}", s / 60, s % 60)
    }
}

/// Who is looking at the minutes.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Viewer {
    /// The meeting's owner: corrects, verifies and shares.
    Owner,
    /// A participant: corrects and verifies.
    Participant,
    /// A colleague they were shared with: reads.
    Reader,
}

pub(crate) fn view(
    tr: &Tr<'_>,
    csrf: &CsrfToken,
    base: &str,
    minutes: &Minutes,
    viewer: Viewer,
) -> Markup {
    let analysis = minutes.analysis.as_ref();
    html! {
        @if viewer != Viewer::Reader {
            div.grid {
                section.card aria-labelledby="summary-heading" {
                    h2 id="summary-heading" { (tr.t("minutes.summary")) }
                    @match analysis {
                        Some(a) => { p.pre { (a.summary) } }
                        None => { p.empty data-follow=(base) { (tr.t("minutes.no_analysis")) } }
                    }
                }
                section.card aria-labelledby="decisions-heading" {
                    h2 id="decisions-heading" { (tr.t("minutes.decisions")) }
                    @match analysis.map(|a| &a.decisions).filter(|d| !d.is_empty()) {
                        Some(decisions) => {
                            ul.list {
                                @for (i, d) in decisions.iter().enumerate() {
                                    li {
                                        span.title { (d) }
                                        @if let Some(Some(at)) = analysis.and_then(|a| a.decision_sections.get(i)) {
                                            " " (source(tr, *at, d))
                                        }
                                    }
                                }
                            }
                        }
                        None => { p.empty { (tr.t("minutes.no_decisions")) } }
                    }
                }
                section.card aria-labelledby="actions-heading" {
                    h2 id="actions-heading" { (tr.t("minutes.actions")) }
                    @match analysis.map(|a| &a.action_items).filter(|a| !a.is_empty()) {
                        Some(items) => { ul.list { @for item in items { (action_item(tr, item)) } } }
                        None => { p.empty { (tr.t("minutes.no_actions")) } }
                    }
                }
                @if let Some(a) = analysis {
                    (follow_up(tr, csrf, base, &a.schedule_suggestions))
                }
            }
        }
        @if !minutes.tracks.is_empty() {
            (player(tr, base, &minutes.tracks))
        }
        @match &minutes.transcript {
            Some(t) => { (transcript_view(tr, csrf, base, t, viewer, !minutes.tracks.is_empty())) }
            None => {
                section.card.transcript aria-labelledby="transcript-heading" {
                    h2 id="transcript-heading" { (tr.t("minutes.transcript")) }
                    p.empty { (tr.t("minutes.no_transcript")) }
                }
            }
        }
        @if viewer == Viewer::Owner {
            @if let Some(t) = &minutes.transcript {
                (share_view(tr, csrf, base, t, &minutes.readers))
            }
        }
    }
}

fn follow_up(tr: &Tr<'_>, csrf: &CsrfToken, base: &str, suggestions: &[Suggestion]) -> Markup {
    html! {
        section.card #follow-up aria-labelledby="follow-up-heading" {
            h2 id="follow-up-heading" { (tr.t("minutes.follow_up.heading")) }
            @if suggestions.is_empty() {
                p.empty { (tr.t("minutes.follow_up.none")) }
            } @else {
                ul.list {
                    @for s in suggestions {
                        li {
                            span.title { (s.title) }
                            span.meta {
                                (tr.datetime(s.start)) " · "
                                (tr.f("minutes.follow_up.minutes", &[("n", &s.duration_minutes.to_string())]))
                            }
                            @if !s.reason.is_empty() { span.meta { (s.reason) } }
                            div.actions {
                                form method="post" action=(format!("{base}/follow-up/{}", s.id)) {
                                    (csrf_field(csrf))
                                    button.small type="submit" { (tr.t("minutes.follow_up.schedule")) }
                                }
                                a href=(format!("{base}/follow-up/{}.ics", s.id)) download {
                                    (tr.t("minutes.follow_up.ics"))
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

/// A link to the transcript line something was found in (the line is highlighted there).
fn source(tr: &Tr<'_>, index: u32, what: &str) -> Markup {
    html! {
        a.source href=(format!("#section-{index}"))
            aria-label=(format!("{}: {what}", tr.t("minutes.source"))) { (tr.t("minutes.source")) }
    }
}

fn action_item(tr: &Tr<'_>, item: &ActionItem) -> Markup {
    html! {
        li {
            span.title { (item.title) }
            span.meta {
                (item.assignee_name.clone().unwrap_or_else(|| tr.text("minutes.unassigned")))
                @if let Some(due) = item.due_date {
                    " · " (tr.f("todo.due", &[("date", &tr.date(due))]))
                }
                @if let Some(at) = item.section_index {
                    " · " (source(tr, at, &item.title))
                }
            }
        }
    }
}

/// The recordings, one player per track; the transcript's times seek in them (`player.js`).
fn player(tr: &Tr<'_>, base: &str, tracks: &[Track]) -> Markup {
    html! {
        section.card #player aria-labelledby="player-heading" {
            h2 id="player-heading" { (tr.t("minutes.recording")) }
            @for t in tracks {
                figure.track {
                    figcaption {
                        (if t.name.is_empty() { tr.t("minutes.unassigned") } else { &t.name })
                        " · " (clock(t.duration_ms))
                    }
                    audio controls preload="metadata" data-speaker=(t.speaker)
                        src=(format!("{base}/recordings/{}/audio", t.id)) {}
                }
            }
            p.hint { (tr.t("minutes.seek_hint")) }
        }
    }
}

fn transcript_view(
    tr: &Tr<'_>,
    csrf: &CsrfToken,
    base: &str,
    t: &Transcript,
    viewer: Viewer,
    playable: bool,
) -> Markup {
    let verified = t.sections.iter().filter(|s| s.verified).count();
    let counts = [
        ("done", verified.to_string()),
        ("total", t.sections.len().to_string()),
    ];
    let counts: Vec<(&str, &str)> = counts.iter().map(|(k, v)| (*k, v.as_str())).collect();
    html! {
        section.card.transcript aria-labelledby="transcript-heading" {
            div.page-head {
                h2 id="transcript-heading" { (tr.t("minutes.transcript")) }
                p.meta {
                    @if t.status == "VERIFIED" {
                        span.badge { (tr.t("minutes.verified_all")) }
                    } @else {
                        (tr.counted("minutes.verified_count", t.sections.len() as u64, &counts))
                    }
                }
            }
            ol.sections {
                @for s in &t.sections {
                    li id=(format!("section-{}", s.index)) class=[s.verified.then_some("verified")] {
                        p.line {
                            @if let Some(ms) = s.start_ms {
                                @if playable {
                                    a.time href=(format!("#section-{}", s.index)) data-seek=(ms)
                                        data-end=[s.end_ms] data-speaker=[s.speaker_id]
                                        title=(tr.t("minutes.play_from")) { (clock(ms)) }
                                } @else {
                                    span.time { (clock(ms)) }
                                }
                            }
                            @if let Some(speaker) = &s.speaker { span.speaker { (speaker) } }
                            span.text { (s.text) }
                            @if s.verified {
                                " " span.badge.ok { (tr.t("minutes.verified")) }
                            }
                        }
                        @if viewer != Viewer::Reader {
                            div.section-tools {
                                details {
                                    summary { (tr.t("minutes.correct")) }
                                    form method="post" action=(format!("{base}/sections/{}", s.index)) {
                                        (csrf_field(csrf))
                                        label.visually-hidden for=(format!("text-{}", s.index)) {
                                            (tr.t("minutes.correct"))
                                        }
                                        textarea id=(format!("text-{}", s.index)) name="text" rows="3" { (s.text) }
                                        button.small type="submit" { (tr.t("minutes.save_correction")) }
                                    }
                                }
                                @if !s.verified {
                                    form method="post" action=(format!("{base}/sections/{}/verify", s.index)) {
                                        (csrf_field(csrf))
                                        button.small.secondary type="submit" { (tr.t("minutes.verify")) }
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn share_view(
    tr: &Tr<'_>,
    csrf: &CsrfToken,
    base: &str,
    t: &Transcript,
    readers: &[Reader],
) -> Markup {
    html! {
        section.card id="share" aria-labelledby="share-heading" {
            h2 id="share-heading" { (tr.t("minutes.share.heading")) }
            @if t.shared_with.is_empty() {
                p.empty { (tr.t("minutes.share.none")) }
            } @else {
                ul.list.readers {
                    @for r in readers {
                        li.todo {
                            span.title { (r.name) }
                            form method="post" action=(format!("{base}/share/{}/revoke", r.id)) {
                                (csrf_field(csrf))
                                button.small.secondary type="submit"
                                    aria-label=(tr.f("minutes.share.revoke_who", &[("name", &r.name)])) {
                                    (tr.t("minutes.share.revoke"))
                                }
                            }
                        }
                    }
                }
            }
            form method="post" action=(format!("{base}/share")) {
                (csrf_field(csrf))
                label for="share-email" { (tr.t("minutes.share.email")) }
                input id="share-email" name="email" type="email" required autocomplete="off"
                    aria-describedby="share-hint";
                p.hint id="share-hint" { (tr.t("minutes.share.hint")) }
                button type="submit" { (tr.t("minutes.share.submit")) }
            }
        }
    }
}

/// Back to the meeting's page at `anchor`, with the error (a catalogue key) `reply` calls for.
fn back(meeting: Uuid, anchor: &str, reply: Result<Reply, ApiFailure>) -> Response {
    let error = match &reply {
        Ok(r) if r.status.is_success() => None,
        Ok(r) if r.code() == Some("unknown_users") => Some("minutes.error.unknown_reader"),
        Ok(r) if r.code() == Some("validation_failed") => Some("minutes.error.section_text"),
        Ok(r) if r.status == StatusCode::FORBIDDEN => Some("meeting.error.forbidden"),
        Ok(_) | Err(_) => Some("meeting.error.generic"),
    };
    let to = match error {
        None => format!("/meetings/{meeting}#{anchor}"),
        Some(key) => format!("/meetings/{meeting}?error={key}#{anchor}"),
    };
    Redirect::to(&to).into_response()
}

/// The transcript's id for an action on `meeting`'s minutes.
async fn transcript_id(state: &AppState, user: &SignedIn, meeting: Uuid) -> Result<Uuid, Reply> {
    match user
        .send(state, Method::GET, &transcript_path(meeting), None)
        .await
    {
        Ok(r) => match r.body.get("id").and_then(Value::as_str).map(str::parse) {
            Some(Ok(id)) => Ok(id),
            _ => Err(r),
        },
        Err(_) => Err(Reply {
            status: StatusCode::BAD_GATEWAY,
            body: Value::Null,
        }),
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct ShareForm {
    #[serde(default)]
    email: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct SectionForm {
    #[serde(default)]
    text: String,
}

/// The meeting and its transcript an action is about, or where to send the browser instead.
async fn target(
    state: &AppState,
    user: &SignedIn,
    meeting: &str,
    anchor: &str,
) -> Result<(Uuid, Uuid), Response> {
    let Ok(meeting) = meeting.parse::<Uuid>() else {
        return Err(Redirect::to("/").into_response());
    };
    match transcript_id(state, user, meeting).await {
        Ok(id) => Ok((meeting, id)),
        Err(reply) => Err(back(meeting, anchor, Ok(reply))),
    }
}

/// Shares the minutes with the colleague whose e-mail address the form names.
pub(crate) async fn share(
    State(state): State<AppState>,
    user: SignedIn,
    Path(meeting): Path<String>,
    Form(form): Form<ShareForm>,
) -> Response {
    let (meeting, id) = match target(&state, &user, &meeting, "share").await {
        Ok(found) => found,
        Err(elsewhere) => return elsewhere,
    };
    let lookup = format!(
        "/api/users/lookup?email={}",
        form_urlencoded::byte_serialize(form.email.trim().as_bytes()).collect::<String>()
    );
    let reply = match user.send(&state, Method::GET, &lookup, None).await {
        Ok(found) => match found.body.get("id").and_then(Value::as_str) {
            Some(reader) => {
                let body = json!({ "userIds": [reader] });
                let path = format!("/api/transcripts/{id}/share");
                user.send(&state, Method::POST, &path, Some(&body)).await
            }
            None => Ok(Reply {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                body: json!({ "code": "unknown_users" }),
            }),
        },
        Err(e) => Err(e),
    };
    back(meeting, "share", reply)
}

pub(crate) async fn revoke(
    State(state): State<AppState>,
    user: SignedIn,
    Path((meeting, reader)): Path<(String, String)>,
) -> Response {
    let (meeting, id) = match target(&state, &user, &meeting, "share").await {
        Ok(found) => found,
        Err(elsewhere) => return elsewhere,
    };
    let reply = match reader.parse::<Uuid>() {
        Ok(reader) => {
            let path = format!("/api/transcripts/{id}/share/{reader}");
            user.send(&state, Method::DELETE, &path, None).await
        }
        Err(_) => Err(ApiFailure::Unreadable("not a user id".into())),
    };
    back(meeting, "share", reply)
}

/// Replaces a section's text.
pub(crate) async fn correct(
    State(state): State<AppState>,
    user: SignedIn,
    Path((meeting, index)): Path<(String, String)>,
    Form(form): Form<SectionForm>,
) -> Response {
    // A crafted address with no section number goes back to the page, like any refusal.
    let Ok(index) = index.parse::<u32>() else {
        return match meeting.parse::<Uuid>() {
            Ok(id) => Redirect::to(&format!("/meetings/{id}")).into_response(),
            Err(_) => Redirect::to("/").into_response(),
        };
    };
    let anchor = format!("section-{index}");
    let (meeting, id) = match target(&state, &user, &meeting, &anchor).await {
        Ok(found) => found,
        Err(elsewhere) => return elsewhere,
    };
    let path = format!("/api/transcripts/{id}/sections/{index}");
    let body = json!({ "text": form.text });
    let reply = user.send(&state, Method::PUT, &path, Some(&body)).await;
    back(meeting, &anchor, reply)
}

pub(crate) async fn verify(
    State(state): State<AppState>,
    user: SignedIn,
    Path((meeting, index)): Path<(String, String)>,
) -> Response {
    // A crafted address with no section number goes back to the page, like any refusal.
    let Ok(index) = index.parse::<u32>() else {
        return match meeting.parse::<Uuid>() {
            Ok(id) => Redirect::to(&format!("/meetings/{id}")).into_response(),
            Err(_) => Redirect::to("/").into_response(),
        };
    };
    let anchor = format!("section-{index}");
    let (meeting, id) = match target(&state, &user, &meeting, &anchor).await {
        Ok(found) => found,
        Err(elsewhere) => return elsewhere,
    };
    let path = format!("/api/transcripts/{id}/sections/{index}/verify");
    let reply = user.send(&state, Method::POST, &path, None).await;
    back(meeting, &anchor, reply)
}

/// A suggested follow-up as an iCalendar file, from the API.
pub(crate) async fn ics(
    State(state): State<AppState>,
    user: SignedIn,
    Path((_meeting, file)): Path<(String, String)>,
) -> Response {
    let Some(Ok(id)) = file.strip_suffix(".ics").map(str::parse::<Uuid>) else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let path = format!("/api/ai/schedules/{id}.ics");
    match user
        .open(&state, Method::GET, &path, Outgoing::new(Body::empty()))
        .await
    {
        Ok(res) if res.status() == StatusCode::OK => res,
        _ => StatusCode::NOT_FOUND.into_response(),
    }
}

/// Schedules the suggested follow-up as a meeting of its own (the caller its owner, the
/// suggestion's participants invited) and goes to it.
pub(crate) async fn schedule_follow_up(
    State(state): State<AppState>,
    user: SignedIn,
    Path((meeting, suggestion)): Path<(String, String)>,
) -> Response {
    let (Ok(meeting), Ok(suggestion)) = (meeting.parse::<Uuid>(), suggestion.parse::<Uuid>())
    else {
        return Redirect::to("/").into_response();
    };
    let path = format!("/api/ai/meetings/{meeting}/analysis");
    let found = match user.get::<Analysis>(&state, &path).await {
        Ok(a) => a
            .schedule_suggestions
            .into_iter()
            .find(|s| s.id == suggestion),
        Err(_) => None,
    };
    let Some(s) = found else {
        return back(
            meeting,
            "follow-up",
            Err(ApiFailure::Unreadable("no such suggestion".into())),
        );
    };
    let me = user.session.user_id.clone();
    let participants: Vec<String> = s
        .participant_ids
        .iter()
        .map(Uuid::to_string)
        .filter(|id| *id != me)
        .collect();
    let body = json!({
        "title": s.title,
        "scheduledAt": s.start.to_rfc3339(),
        "participantIds": participants,
        "agenda": (!s.reason.is_empty()).then_some(&s.reason),
    });
    match user
        .send(&state, Method::POST, "/api/meetings", Some(&body))
        .await
    {
        Ok(r) if r.status == StatusCode::CREATED => {
            match r.body.get("id").and_then(Value::as_str) {
                Some(id) => Redirect::to(&format!("/meetings/{id}")).into_response(),
                None => back(meeting, "follow-up", Ok(r)),
            }
        }
        other => back(meeting, "follow-up", other),
    }
}

#[cfg(test)]
mod tests {
    use super::clock;

    #[test]
    fn section_times_read_as_minutes_and_seconds_or_hours() {
        assert_eq!(clock(0), "0:00");
        assert_eq!(clock(65_400), "1:05");
        assert_eq!(clock(3_723_000), "1:02:03");
    }
}
