//! A meeting from scheduling to minutes: the scheduling form, and one page per meeting that
//! follows its status — start or cancel it, write the notes, end it, watch the minutes being
//! prepared (the page refreshes itself; no script needed), then read them ([`minutes`]).
//!
//! Every action posts a form and comes back to the meeting's page (post/redirect/get); what
//! went wrong comes back as `?error=<key>`, a key of the message catalogue from a fixed list.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{Html, IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::{DateTime, NaiveDateTime, Utc};
use maud::{html, Markup};
use serde::Deserialize;
use serde_json::{json, Value};
use uuid::Uuid;

use crate::api::{ApiFailure, Reply};
use crate::csrf::CsrfToken;
use crate::i18n::{Locale, Tr};
use crate::pages::errors::{failed, not_found, tr};
use crate::pages::invited::{self, Invited};
use crate::pages::layout::{self, csrf_field};
use crate::pages::minutes::{self, Viewer};
use crate::session::SignedIn;
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meeting {
    id: Uuid,
    title: String,
    status: String,
    owner_id: Uuid,
    scheduled_at: DateTime<Utc>,
    #[serde(default)]
    agenda: Option<String>,
    #[serde(default)]
    notes: Option<String>,
    participants: Vec<Participant>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Participant {
    user_id: Uuid,
    name: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct NewMeetingForm {
    #[serde(default)]
    title: String,
    /// `YYYY-MM-DDTHH:MM` from `<input type=datetime-local>`, in the display time zone.
    #[serde(default)]
    when: String,
    #[serde(default)]
    agenda: String,
    /// The people to invite, by e-mail address or name, separated by commas or lines.
    #[serde(default)]
    invite: String,
    /// A template's id (new meetings only): its sections become the agenda when none is
    /// written.
    #[serde(default)]
    template: String,
    /// Who is invited already (changes only), by name: ticked boxes, not addresses.
    #[serde(skip)]
    invited: Vec<Invited>,
}

/// A meeting template, as the API lists it (names in both languages).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Template {
    id: String,
    name: Localized,
    duration_minutes: i64,
}

#[derive(Debug, Deserialize)]
struct Localized {
    ko: String,
    en: String,
}

/// The templates to offer (none when the API cannot say: the form works without).
async fn templates(state: &AppState, user: &SignedIn) -> Vec<Template> {
    user.get(state, "/api/meetings/templates")
        .await
        .unwrap_or_default()
}

#[derive(Debug, Deserialize)]
pub(crate) struct NotesForm {
    #[serde(default)]
    notes: String,
}

#[derive(Debug, Deserialize)]
pub(crate) struct PageQuery {
    #[serde(default)]
    error: Option<String>,
}

/// The errors a meeting page may be sent back with.
const PAGE_ERRORS: &[&str] = &[
    "meeting.error.forbidden",
    "meeting.error.state",
    "meeting.error.notes_long",
    "meeting.error.generic",
];

fn alert(tr: &Tr<'_>, key: Option<&str>) -> Markup {
    html! {
        @if let Some(key) = key {
            div.error role="alert" {
                h2 { (tr.t("auth.error.heading")) }
                p { (tr.t(key)) }
            }
        }
    }
}

/// What the meeting form does: schedule a new meeting, or change one.
#[derive(Clone, Copy)]
enum Target {
    New,
    Edit(Uuid),
}

impl Target {
    fn action(self) -> String {
        match self {
            Self::New => "/meetings".into(),
            Self::Edit(id) => format!("/meetings/{id}/edit"),
        }
    }

    /// The catalogue section of its words (`title`, `heading`, `submit`).
    fn words(self) -> &'static str {
        match self {
            Self::New => "meeting.new",
            Self::Edit(_) => "meeting.edit",
        }
    }
}

/// The form, with an error already in words (it may name an address).
fn meeting_form(
    tr: &Tr<'_>,
    csrf: &CsrfToken,
    target: Target,
    form: &NewMeetingForm,
    templates: &[Template],
    error: Option<&str>,
) -> Markup {
    let when = if form.when.is_empty() {
        // The next full hour, a sensible default.
        let next = tr.zone.local(Utc::now()) + chrono::Duration::hours(1);
        next.format("%Y-%m-%dT%H:00").to_string()
    } else {
        form.when.clone()
    };
    let words = target.words();
    html! {
        section.card.narrow.wide {
            h1 { (tr.t(&format!("{words}.heading"))) }
            @if let Some(error) = error {
                div.error role="alert" {
                    h2 { (tr.t("auth.error.heading")) }
                    p { (error) }
                }
            }
            form method="post" action=(target.action()) {
                (csrf_field(csrf))
                label for="title" { (tr.t("meeting.field.title")) }
                input id="title" name="title" type="text" required maxlength="200"
                    value=(form.title) autofocus;
                label for="when" { (tr.t("meeting.field.when")) }
                input id="when" name="when" type="datetime-local" required value=(when)
                    aria-describedby="when-hint";
                p.hint id="when-hint" { (tr.f("meeting.field.when_hint", &[("offset", &tr.zone.label())])) }
                (invited::fields(tr, &form.invited))
                label for="invite" { (tr.t("meeting.field.invite")) }
                textarea id="invite" name="invite" rows="2" autocomplete="off"
                    aria-describedby="invite-hint" { (form.invite) }
                p.hint id="invite-hint" { (tr.t("meeting.field.invite_hint")) }
                // Shown by notes.js: names found as one types, each added with a click.
                div.finder id="people-finder" hidden {
                    label for="find" { (tr.t("meeting.field.find")) }
                    input id="find" name="find" type="search" autocomplete="off"
                        hx-get="/people" hx-trigger="input changed delay:250ms, search"
                        hx-target="#found" hx-swap="innerHTML";
                    ul.found id="found" aria-live="polite" {}
                }
                @if !templates.is_empty() {
                    label for="template" { (tr.t("meeting.field.template")) }
                    select id="template" name="template" aria-describedby="template-hint" {
                        option value="" { (tr.t("meeting.field.no_template")) }
                        @for t in templates {
                            option value=(t.id) selected[form.template == t.id] {
                                (if tr.locale == Locale::Ko { &t.name.ko } else { &t.name.en })
                                " (" (tr.f("minutes.follow_up.minutes", &[("n", &t.duration_minutes.to_string())])) ")"
                            }
                        }
                    }
                    p.hint id="template-hint" { (tr.t("meeting.field.template_hint")) }
                }
                label for="agenda" { (tr.t("meeting.field.agenda")) }
                textarea id="agenda" name="agenda" rows="4" { (form.agenda) }
                button type="submit" { (tr.t(&format!("{words}.submit"))) }
            }
        }
    }
}

pub(crate) async fn new_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    user: SignedIn,
    headers: HeaderMap,
) -> Response {
    let tr = tr(&state, &headers, Some(&user.session));
    let title = tr.t("meeting.new.title");
    let templates = templates(&state, &user).await;
    let body = meeting_form(
        &tr,
        &csrf,
        Target::New,
        &NewMeetingForm::default(),
        &templates,
        None,
    );
    layout::page(&tr, title, Some(&user.session), &csrf, body).into_response()
}

/// The form to change a meeting, filled in (its owner, while it is not over).
pub(crate) async fn edit_page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    user: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<Uuid>() else {
        return not_found(State(state), Extension(csrf), headers).await;
    };
    let meeting: Meeting = match user.get(&state, &format!("/api/meetings/{id}")).await {
        Ok(m) => m,
        Err(ApiFailure::Status(StatusCode::NOT_FOUND, _)) => {
            return not_found(State(state), Extension(csrf), headers).await;
        }
        Err(e) => return failed(&state, &headers, &e),
    };
    if meeting.owner_id.to_string() != user.session.user_id {
        return Redirect::to(&format!("/meetings/{id}?error=meeting.error.forbidden"))
            .into_response();
    }
    if !matches!(meeting.status.as_str(), "SCHEDULED" | "IN_PROGRESS") {
        return Redirect::to(&format!("/meetings/{id}?error=meeting.error.state")).into_response();
    }
    let tr = tr(&state, &headers, Some(&user.session));
    let form = NewMeetingForm {
        title: meeting.title.clone(),
        when: tr
            .zone
            .local(meeting.scheduled_at)
            .format("%Y-%m-%dT%H:%M")
            .to_string(),
        agenda: meeting.agenda.clone().unwrap_or_default(),
        invite: String::new(),
        template: String::new(),
        invited: invited::people(
            meeting.owner_id,
            meeting
                .participants
                .into_iter()
                .map(|p| (p.user_id, p.name)),
        ),
    };
    let title = tr.t("meeting.edit.title");
    let body = meeting_form(&tr, &csrf, Target::Edit(id), &form, &[], None);
    layout::page(&tr, title, Some(&user.session), &csrf, body).into_response()
}

/// The people of an invitation field: separated by commas, semicolons or lines; addresses
/// may also be separated by spaces (a name has spaces of its own).
fn invitees(raw: &str) -> Vec<&str> {
    let mut out: Vec<&str> = Vec::new();
    for piece in raw.split([',', ';', '\n', '\r']).map(str::trim) {
        if piece.contains('@') {
            out.extend(piece.split_whitespace());
        } else if !piece.is_empty() {
            out.push(piece);
        }
    }
    out.dedup();
    out
}

/// Someone found by name.
#[derive(Debug, Deserialize)]
pub(crate) struct Found {
    id: String,
    name: String,
}

/// `GET /api/users/search?q=…`: people whose name contains `q`.
pub(crate) async fn people_named(
    state: &AppState,
    user: &SignedIn,
    q: &str,
) -> Result<Vec<Found>, ApiFailure> {
    let path = format!(
        "/api/users/search?q={}",
        form_urlencoded::byte_serialize(q.as_bytes()).collect::<String>()
    );
    #[derive(Deserialize)]
    struct Answer {
        items: Vec<Found>,
    }
    Ok(user.get::<Answer>(state, &path).await?.items)
}

#[derive(Debug, Deserialize)]
pub(crate) struct FindQuery {
    #[serde(default)]
    find: String,
}

/// The people whose name contains what was typed, as buttons that add them to the
/// invitation (a fragment for the scheduling form's finder).
pub(crate) async fn people(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    Query(q): Query<FindQuery>,
) -> Response {
    let tr = tr(&state, &headers, Some(&user.session));
    let q = q.find.trim();
    if q.chars().count() < 2 {
        return Html(String::new()).into_response();
    }
    // A fragment for the finder's list: on a failure, an empty list (the invitation field
    // still takes names and addresses), never a whole error page inside the form.
    let found = match people_named(&state, &user, q).await {
        Ok(found) => found,
        Err(e) if e.is_unauthorized() => return StatusCode::UNAUTHORIZED.into_response(),
        Err(e) => {
            tracing::warn!(error = %e, "people could not be found");
            return Html(String::new()).into_response();
        }
    };
    let markup = html! {
        @if found.is_empty() {
            li.empty { (tr.f("meeting.error.nobody_named", &[("name", q)])) }
        }
        @for p in &found {
            li {
                button.secondary.small type="button" data-invite=(p.name)
                    aria-label=(tr.f("meeting.field.add", &[("name", &p.name)])) { (p.name) }
            }
        }
    };
    Html(markup.into_string()).into_response()
}

/// Who an entry of the invitation field is: an account with that address, or the one person
/// with that name (exactly, else the only one whose name contains it). `Err` is what to tell
/// the user, or a failure of the API.
async fn invitee(
    state: &AppState,
    user: &SignedIn,
    tr: &Tr<'_>,
    entry: &str,
) -> Result<String, Result<String, ApiFailure>> {
    if entry.contains('@') {
        let path = format!(
            "/api/users/lookup?email={}",
            form_urlencoded::byte_serialize(entry.as_bytes()).collect::<String>()
        );
        return match user.send(state, Method::GET, &path, None).await {
            Ok(reply) if reply.status.is_success() => reply
                .body
                .get("id")
                .and_then(Value::as_str)
                .map(str::to_owned)
                .ok_or_else(|| Err(reply.failure())),
            Ok(reply) if reply.status.is_client_error() => Err(Ok(
                tr.f("meeting.error.unknown_invitee", &[("email", entry)])
            )),
            Ok(reply) => Err(Err(reply.failure())),
            Err(e) => Err(Err(e)),
        };
    }
    if entry.chars().count() < 2 {
        return Err(Ok(tr.f("meeting.error.nobody_named", &[("name", entry)])));
    }
    let found = people_named(state, user, entry).await.map_err(Err)?;
    let exact: Vec<&Found> = found
        .iter()
        .filter(|p| p.name.to_lowercase() == entry.to_lowercase())
        .collect();
    match (exact.as_slice(), found.as_slice()) {
        ([one], _) => Ok(one.id.clone()),
        ([], [one]) => Ok(one.id.clone()),
        ([], []) => Err(Ok(tr.f("meeting.error.nobody_named", &[("name", entry)]))),
        _ => {
            let names: Vec<&str> = found.iter().map(|p| p.name.as_str()).collect();
            Err(Ok(tr.f(
                "meeting.error.several_named",
                &[("name", entry), ("names", &names.join(", "))],
            )))
        }
    }
}

/// `when` (local, in `tr`'s time zone) as an instant.
fn instant(tr: &Tr<'_>, when: &str) -> Option<DateTime<Utc>> {
    let naive = NaiveDateTime::parse_from_str(when.trim(), "%Y-%m-%dT%H:%M").ok()?;
    tr.zone.instant(&naive)
}

pub(crate) async fn create(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    user: SignedIn,
    headers: HeaderMap,
    Form(form): Form<NewMeetingForm>,
) -> Response {
    save(&state, &csrf, &user, &headers, Target::New, &form).await
}

/// Changes the meeting: the invited people whose box stays ticked, and anyone new.
pub(crate) async fn edit(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    user: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(fields): Form<Vec<(String, String)>>,
) -> Response {
    let Ok(id) = id.parse::<Uuid>() else {
        return not_found(State(state), Extension(csrf), headers).await;
    };
    let invited = match invited::of(&state, &user, id).await {
        Ok(people) => invited::ticked(people, &fields),
        Err(ApiFailure::Status(StatusCode::NOT_FOUND, _)) => {
            return not_found(State(state), Extension(csrf), headers).await;
        }
        Err(e) => return failed(&state, &headers, &e),
    };
    let field = |name: &str| {
        fields
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
            .unwrap_or_default()
    };
    let form = NewMeetingForm {
        title: field("title"),
        when: field("when"),
        agenda: field("agenda"),
        invite: field("invite"),
        template: String::new(),
        invited,
    };
    save(&state, &csrf, &user, &headers, Target::Edit(id), &form).await
}

/// Schedules or changes the meeting the form describes; the form comes back with what is
/// wrong, in words.
async fn save(
    state: &AppState,
    csrf: &CsrfToken,
    user: &SignedIn,
    headers: &HeaderMap,
    target: Target,
    form: &NewMeetingForm,
) -> Response {
    let tr = tr(state, headers, Some(&user.session));
    let templates = match target {
        Target::New => templates(state, user).await,
        Target::Edit(_) => Vec::new(),
    };
    let refuse_with = |message: String| {
        let title = tr.text(&format!("{}.title", target.words()));
        let body = meeting_form(&tr, csrf, target, form, &templates, Some(&message));
        (
            StatusCode::UNPROCESSABLE_ENTITY,
            layout::page(&tr, &title, Some(&user.session), csrf, body),
        )
            .into_response()
    };
    let refuse = |key: &str| refuse_with(tr.text(key));
    let title = form.title.trim();
    if title.is_empty() {
        return refuse("meeting.error.title_required");
    }
    let Some(at) = instant(&tr, &form.when) else {
        return refuse("meeting.error.when_invalid");
    };
    let mut participants: Vec<String> = form
        .invited
        .iter()
        .filter(|p| p.kept)
        .map(|p| p.id.to_string())
        .collect();
    for entry in invitees(&form.invite) {
        match invitee(state, user, &tr, entry).await {
            Ok(id) => participants.push(id),
            Err(Ok(message)) => return refuse_with(message),
            Err(Err(e)) => return failed(state, headers, &e),
        }
    }
    participants.retain(|id| *id != user.session.user_id);
    participants.dedup();
    let agenda = form.agenda.trim();
    let (method, path, body) = match target {
        Target::New => (
            Method::POST,
            "/api/meetings".to_owned(),
            json!({
                "title": title,
                "scheduledAt": at.to_rfc3339(),
                "participantIds": participants,
                "agenda": (!agenda.is_empty()).then_some(agenda),
                "templateId": (!form.template.is_empty()).then_some(&form.template),
            }),
        ),
        // An empty agenda removes it; the owner stays a participant either way.
        Target::Edit(id) => (
            Method::PUT,
            format!("/api/meetings/{id}"),
            json!({
                "title": title,
                "scheduledAt": at.to_rfc3339(),
                "participantIds": participants,
                "agenda": agenda,
            }),
        ),
    };
    // A colleague whose account is seconds old may not have reached the meeting service's
    // directory yet (events are asynchronous): ask again for a moment before giving up.
    let mut attempts = 0;
    let saved = loop {
        let reply = user.send(state, method.clone(), &path, Some(&body)).await;
        let waiting = matches!(&reply, Ok(r) if r.code() == Some("unknown_participants"));
        attempts += 1;
        if !waiting || attempts >= 10 {
            break reply;
        }
        tokio::time::sleep(std::time::Duration::from_millis(300)).await;
    };
    match saved {
        Ok(reply) if reply.status.is_success() => {
            match reply.body.get("id").and_then(Value::as_str) {
                Some(id) => Redirect::to(&format!("/meetings/{id}")).into_response(),
                None => refuse("meeting.error.generic"),
            }
        }
        Ok(reply) if reply.status.is_client_error() => refuse(match reply.code() {
            Some("validation_failed") => "meeting.error.invalid",
            _ if reply.status == StatusCode::FORBIDDEN => "meeting.error.forbidden",
            _ if reply.status == StatusCode::CONFLICT => "meeting.error.state",
            _ => "meeting.error.generic",
        }),
        Ok(reply) => failed(state, headers, &reply.failure()),
        Err(e) => failed(state, headers, &e),
    }
}

/// The meeting's page, whatever its status.
pub(crate) async fn show(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    user: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(query): Query<PageQuery>,
) -> Response {
    let Ok(id) = id.parse::<Uuid>() else {
        return not_found(State(state), Extension(csrf), headers).await;
    };
    let meeting: Meeting = match user.get(&state, &format!("/api/meetings/{id}")).await {
        Ok(m) => m,
        Err(ApiFailure::Status(StatusCode::NOT_FOUND, _)) => {
            // Not a participant: the minutes may have been shared with them.
            return match minutes::transcript(&state, &user, id).await {
                Ok(t) => shared(&state, &csrf, &user, &headers, id, t),
                Err(_) => not_found(State(state), Extension(csrf), headers).await,
            };
        }
        Err(e) => return failed(&state, &headers, &e),
    };
    let is_owner = meeting.owner_id.to_string() == user.session.user_id;
    let minutes = if meeting.status == "MINUTES_READY" {
        let names: Vec<(Uuid, String)> = meeting
            .participants
            .iter()
            .map(|p| (p.user_id, p.name.clone()))
            .collect();
        Some(minutes::load(&state, &user, id, is_owner, names).await)
    } else {
        None
    };
    let tr = tr(&state, &headers, Some(&user.session));
    let error = query.error.as_deref().and_then(|e| {
        PAGE_ERRORS
            .iter()
            .chain(minutes::ERRORS)
            .find(|k| **k == e)
            .copied()
    });
    let base = format!("/meetings/{}", meeting.id);
    let viewer = if is_owner {
        Viewer::Owner
    } else {
        Viewer::Participant
    };
    let body = html! {
        article.meeting {
            header.meeting-head {
                h1 { (meeting.title) }
                p.meta {
                    span.status { (tr.t(&format!("meeting.status.{}", meeting.status))) }
                    " · " (tr.datetime(meeting.scheduled_at))
                }
            }
            (alert(&tr, error))
            div.grid {
                section.card aria-labelledby="people-heading" {
                    h2 id="people-heading" { (tr.t("meeting.participants")) }
                    ul.list { @for p in &meeting.participants { li { (p.name) } } }
                }
                @if let Some(agenda) = meeting.agenda.as_deref().filter(|a| !a.trim().is_empty()) {
                    section.card aria-labelledby="agenda-heading" {
                        h2 id="agenda-heading" { (tr.t("meeting.agenda")) }
                        p.pre { (agenda) }
                    }
                }
            }
            @match meeting.status.as_str() {
                "SCHEDULED" => {
                    @if is_owner {
                        div.actions {
                            a.button.secondary href=(format!("{base}/edit")) { (tr.t("meeting.edit.link")) }
                            form method="post" action=(format!("{base}/start")) {
                                (csrf_field(&csrf))
                                button type="submit" { (tr.t("meeting.start")) }
                            }
                            form method="post" action=(format!("{base}/cancel")) {
                                (csrf_field(&csrf))
                                button.secondary type="submit" { (tr.t("meeting.cancel")) }
                            }
                        }
                    } @else {
                        p.empty { (tr.t("meeting.waiting")) }
                    }
                }
                "IN_PROGRESS" => {
                    (recorder(&tr, &base))
                    section.card aria-labelledby="notes-heading" {
                        h2 id="notes-heading" { (tr.t("meeting.notes")) }
                        form method="post" action=(format!("{base}/notes")) {
                            (csrf_field(&csrf))
                            label.visually-hidden for="notes" { (tr.t("meeting.notes")) }
                            // Shown by notes.js: a participant's name starts a line.
                            div.speakers #speakers hidden {
                                span { (tr.t("meeting.insert_speaker")) }
                                @for p in &meeting.participants {
                                    button.small.secondary type="button" data-name=(p.name) { (p.name) }
                                }
                            }
                            textarea id="notes" name="notes" rows="14" aria-describedby="notes-hint"
                                data-autosave=(format!("{base}/notes"))
                                data-saved=(tr.t("meeting.notes_saved"))
                                data-unsaved=(tr.t("meeting.notes_unsaved"))
                                data-failed=(tr.t("meeting.notes_failed")) {
                                (meeting.notes.as_deref().unwrap_or(""))
                            }
                            p.hint id="notes-hint" { (tr.t("meeting.notes_hint")) }
                            p.hint #notes-status role="status" aria-live="polite" {}
                            div.actions {
                                button type="submit" { (tr.t("meeting.save_notes")) }
                                @if is_owner {
                                    button.secondary type="submit" formaction=(format!("{base}/end")) {
                                        (tr.t("meeting.end"))
                                    }
                                }
                            }
                        }
                    }
                }
                "ENDED" => {
                    section.card #progress role="status" data-follow=(base)
                        data-progress=(format!("{base}/progress"))
                        data-chunk=(tr.t("meeting.transcribing_part"))
                        data-analysing=(tr.t("meeting.analysing")) {
                        h2 { (tr.t("meeting.preparing_heading")) }
                        progress aria-labelledby="progress-label" {}
                        p #progress-label data-progress-label { (tr.t("meeting.preparing")) }
                    }
                }
                "MINUTES_READY" => {
                    @if let Some(minutes) = &minutes {
                        (minutes::view(&tr, &csrf, &base, minutes, viewer))
                    }
                }
                _ => {
                    p.empty { (tr.t("meeting.cancelled")) }
                }
            }
            @if is_owner {
                // Out of the way, and asked twice: deleting takes the minutes and to-dos with it.
                details.danger {
                    summary { (tr.t("meeting.delete.link")) }
                    p { (tr.t("meeting.delete.warning")) }
                    form method="post" action=(format!("{base}/delete")) {
                        (csrf_field(&csrf))
                        button.danger type="submit" { (tr.t("meeting.delete.submit")) }
                    }
                }
            }
        }
    };
    let title = meeting.title.clone();
    // MINUTES_READY follows the analysis, so it is there; should the API answer without it
    // all the same (an analysis being replaced, say), the page keeps following.
    let analysing = matches!(&minutes, Some(m) if m.analysis.is_none());
    if meeting.status == "ENDED" || analysing {
        layout::following(&tr, &title, Some(&user.session), &csrf, body).into_response()
    } else {
        layout::page(&tr, &title, Some(&user.session), &csrf, body).into_response()
    }
}

/// The recorder of a meeting in progress: shown by its script (`record.js`), which records
/// from the microphone or takes a file, and uploads either with a progress bar.
fn recorder(tr: &Tr<'_>, base: &str) -> Markup {
    html! {
        section.card #recorder aria-labelledby="record-heading" hidden
            data-upload=(format!("{base}/recording"))
            data-recording=(tr.t("record.recording"))
            data-uploading=(tr.t("record.uploading"))
            data-denied=(tr.t("record.denied"))
            data-unsupported=(tr.t("record.unsupported"))
            data-failed=(tr.t("record.failed")) {
            h2 id="record-heading" { (tr.t("record.heading")) }
            div.actions.recorder {
                button #record-start type="button" { (tr.t("record.start")) }
                button.secondary #record-stop type="button" disabled { (tr.t("record.stop")) }
                output #record-time aria-label=(tr.t("record.elapsed")) { "0:00" }
                meter #record-level min="0" max="1" value="0" aria-label=(tr.t("record.level")) {}
            }
            label for="record-file" { (tr.t("record.file")) }
            input #record-file type="file" accept="audio/*,.wav,.flac,.mp3,.ogg,.m4a,.webm"
                aria-describedby="record-hint";
            p.hint #record-hint { (tr.t("record.hint")) }
            progress #record-upload hidden aria-label=(tr.t("record.uploading")) {}
            p #record-status role="status" aria-live="polite" {}
            h3 #record-uploads hidden { (tr.t("record.uploads")) }
            ul.list #record-list {}
        }
        noscript { p.hint { (tr.t("record.noscript")) } }
    }
}

/// The minutes as a colleague they were shared with sees them: the transcript, read only.
fn shared(
    state: &AppState,
    csrf: &CsrfToken,
    user: &SignedIn,
    headers: &HeaderMap,
    id: Uuid,
    transcript: minutes::Transcript,
) -> Response {
    let tr = tr(state, headers, Some(&user.session));
    let title = transcript.meeting_title.clone();
    let minutes = minutes::Minutes::shared(transcript);
    let body = html! {
        article.meeting {
            header.meeting-head {
                h1 { (title) }
                p.meta { (tr.t("minutes.shared_with_you")) }
            }
            (minutes::view(&tr, csrf, &format!("/meetings/{id}"), &minutes, Viewer::Reader))
        }
    };
    layout::page(&tr, &title, Some(&user.session), csrf, body).into_response()
}

/// Where an action's answer sends the browser: back to the meeting, with what went wrong.
fn back(id: Uuid, reply: Result<Reply, ApiFailure>) -> Response {
    let error = match reply {
        Ok(r) if r.status.is_success() => None,
        Ok(r) if r.status == StatusCode::FORBIDDEN => Some("meeting.error.forbidden"),
        Ok(r) if r.status == StatusCode::CONFLICT => Some("meeting.error.state"),
        Ok(r) if r.status == StatusCode::PAYLOAD_TOO_LARGE => Some("meeting.error.notes_long"),
        Ok(r) if r.code() == Some("validation_failed") => Some("meeting.error.notes_long"),
        Ok(_) | Err(_) => Some("meeting.error.generic"),
    };
    match error {
        None => Redirect::to(&format!("/meetings/{id}")).into_response(),
        Some(key) => Redirect::to(&format!("/meetings/{id}?error={key}")).into_response(),
    }
}

async fn act(
    state: &AppState,
    user: &SignedIn,
    id: &str,
    action: &str,
    body: Option<Value>,
) -> Response {
    let Ok(id) = id.parse::<Uuid>() else {
        return Redirect::to("/").into_response();
    };
    let path = format!("/api/meetings/{id}/{action}");
    let method = if action == "notes" {
        Method::PUT
    } else {
        Method::POST
    };
    back(id, user.send(state, method, &path, body.as_ref()).await)
}

/// Deletes the meeting (its owner only) with everything made from it, and goes home.
pub(crate) async fn delete(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<Uuid>() else {
        return Redirect::to("/").into_response();
    };
    let path = format!("/api/meetings/{id}");
    match user.send(&state, Method::DELETE, &path, None).await {
        Ok(r) if r.status.is_success() || r.status == StatusCode::NOT_FOUND => {
            Redirect::to("/").into_response()
        }
        reply => back(id, reply),
    }
}

pub(crate) async fn start(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Response {
    act(&state, &user, &id, "start", None).await
}

pub(crate) async fn cancel(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Response {
    act(&state, &user, &id, "cancel", None).await
}

pub(crate) async fn notes(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<NotesForm>,
) -> Response {
    act(
        &state,
        &user,
        &id,
        "notes",
        Some(json!({ "notes": form.notes })),
    )
    .await
}

/// Ends the meeting with the notes as they stand in the form.
pub(crate) async fn end(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
    Form(form): Form<NotesForm>,
) -> Response {
    act(
        &state,
        &user,
        &id,
        "end",
        Some(json!({ "notes": form.notes })),
    )
    .await
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{Catalogues, Locale};

    #[test]
    fn a_local_time_from_the_form_is_read_in_the_display_time_zone() {
        let c = Catalogues::load();
        let kst = crate::zone::Zone::parse("Asia/Seoul").unwrap();
        let tr = Tr::new(&c, Locale::Ko, kst);
        let at = instant(&tr, "2026-12-04T10:00").unwrap();
        assert_eq!(at.to_rfc3339(), "2026-12-04T01:00:00+00:00");
        assert!(instant(&tr, "tomorrow").is_none());
    }

    #[test]
    fn invitations_are_read_from_commas_and_lines() {
        assert_eq!(
            invitees(" bo@example.com,\r\ncy@example.com ; dee@example.com eve@example.com"),
            [
                "bo@example.com",
                "cy@example.com",
                "dee@example.com",
                "eve@example.com"
            ]
        );
        assert_eq!(
            invitees("Bo Han, 김민준\nhana@example.com"),
            ["Bo Han", "김민준", "hana@example.com"]
        );
        assert!(invitees("  ").is_empty());
    }
}
