//! To-dos: mine, or every to-do of my meetings; filtered by status, meeting and when they are
//! due; the open ones grouped by when they are due (overdue, today, this week, later). Each
//! moves forward with one button (start, done — a to-do's status only moves forward) and
//! links to the meeting it came from.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::{NaiveDate, Utc};
use maud::{html, Markup, PreEscaped};
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::api::Page;
use crate::csrf::CsrfToken;
use crate::i18n::Tr;
use crate::pages::dashboard::Due;
use crate::pages::errors::{failed, tr};
use crate::pages::layout::{self, csrf_field};
use crate::session::SignedIn;
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Todo {
    id: Uuid,
    title: String,
    status: String,
    #[serde(default)]
    meeting_id: Option<Uuid>,
    #[serde(default)]
    meeting_title: Option<String>,
    #[serde(default)]
    assignee_id: Option<Uuid>,
    #[serde(default)]
    assignee_name: Option<String>,
    #[serde(default)]
    created_by: Option<Uuid>,
    #[serde(default)]
    due_date: Option<NaiveDate>,
}

/// What the list shows, from its query string. Every choice is a plain link or a GET form,
/// so a filtered list can be bookmarked and works without scripts.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct Filter {
    /// `mine` (the default: assigned to me) or `meetings` (every to-do of my meetings).
    #[serde(default)]
    scope: Option<String>,
    /// `open` (the default: open or started), `progress`, `done` or `all`.
    #[serde(default)]
    status: Option<String>,
    /// A meeting's id.
    #[serde(default)]
    meeting: Option<String>,
    /// `overdue`, `today`, `week`, `later` or `none` (no due date).
    #[serde(default)]
    due: Option<String>,
    /// The old address of the done list (`show=done`).
    #[serde(default)]
    show: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

/// A filter, checked: only known values.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Chosen {
    meetings: bool,
    status: &'static str,
    meeting: Option<Uuid>,
    due: Option<Due>,
}

const STATUSES: [&str; 4] = ["open", "progress", "done", "all"];

impl Chosen {
    fn of(f: &Filter) -> Self {
        let status = f
            .status
            .as_deref()
            .or(f.show.as_deref())
            .and_then(|s| STATUSES.iter().find(|k| **k == s).copied())
            .unwrap_or("open");
        Self {
            meetings: f.scope.as_deref() == Some("meetings"),
            status,
            meeting: f.meeting.as_deref().and_then(|m| m.parse().ok()),
            due: f.due.as_deref().and_then(Due::parse),
        }
    }

    /// The list's own address with these choices (what a form comes back to).
    fn query(&self) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        if self.meetings {
            q.append_pair("scope", "meetings");
        }
        if self.status != "open" {
            q.append_pair("status", self.status);
        }
        if let Some(m) = self.meeting {
            q.append_pair("meeting", &m.to_string());
        }
        if let Some(d) = self.due {
            q.append_pair("due", d.code());
        }
        let q = q.finish();
        if q.is_empty() {
            "/todos".to_owned()
        } else {
            format!("/todos?{q}")
        }
    }

    /// The API's address for this list (`me`: the user's id; `today` in their time zone).
    fn api_path(&self, me: &str, today: NaiveDate, meeting: Option<Uuid>) -> String {
        let mut q = form_urlencoded::Serializer::new(String::new());
        q.append_pair("size", "100");
        if self.meetings {
            q.append_pair("scope", "meetings");
        } else {
            q.append_pair("assigneeId", me);
        }
        match self.status {
            "open" => q.append_pair("status", "OPEN,IN_PROGRESS"),
            "progress" => q.append_pair("status", "IN_PROGRESS"),
            "done" => q.append_pair("status", "DONE"),
            _ => &mut q,
        };
        if let Some(m) = meeting {
            q.append_pair("meetingId", &m.to_string());
        }
        if let Some((from, to)) = self.due.and_then(|d| d.range(today)) {
            if let Some(from) = from {
                q.append_pair("dueFrom", &from.to_string());
            }
            if let Some(to) = to {
                q.append_pair("dueTo", &to.to_string());
            }
        }
        format!("/api/todos?{}", q.finish())
    }
}

#[derive(Debug, Deserialize)]
pub(crate) struct StatusForm {
    status: String,
    /// The list to come back to (`/todos?…`).
    #[serde(default)]
    back: Option<String>,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    user: SignedIn,
    headers: HeaderMap,
    Query(filter): Query<Filter>,
) -> Response {
    let chosen = Chosen::of(&filter);
    let tr = tr(&state, &headers, Some(&user.session));
    let today = tr.zone.local(Utc::now()).date();
    let me = &user.session.user_id;
    // The meetings to choose from are those of the list without the meeting filter: asked
    // for at the same time when a meeting is chosen.
    let listed_path = chosen.api_path(me, today, chosen.meeting);
    let all_path = chosen.api_path(me, today, None);
    let listed = user.get::<Page<Todo>>(&state, &listed_path);
    let (todos, others) = match chosen.meeting {
        None => (listed.await, None),
        Some(_) => {
            let all = user.get::<Page<Todo>>(&state, &all_path);
            let (a, b) = tokio::join!(listed, all);
            (a, Some(b))
        }
    };
    let todos = match todos {
        Ok(page) => page.items,
        Err(e) => return failed(&state, &headers, &e),
    };
    let mut meetings: Vec<(Uuid, String)> = Vec::new();
    let from = match &others {
        Some(Ok(page)) => &page.items,
        _ => &todos,
    };
    for t in from {
        if let (Some(id), Some(title)) = (t.meeting_id, &t.meeting_title) {
            if !meetings.iter().any(|(m, _)| *m == id) {
                meetings.push((id, title.clone()));
            }
        }
    }
    let mut shown: Vec<&Todo> = todos
        .iter()
        .filter(|t| chosen.due != Some(Due::None) || t.due_date.is_none())
        .collect();
    shown.sort_by_key(|t| (Due::of(t.due_date, today), t.due_date));
    let grouped = chosen.status != "done" && chosen.due.is_none();
    let back = chosen.query();
    let error = filter.error.as_deref().filter(|e| *e == "todo.error.moved");
    let title = tr.t("todos.title");
    let scope_link = |meetings: bool| {
        Chosen {
            meetings,
            meeting: None,
            ..chosen.clone()
        }
        .query()
    };
    // Whose to-dos are shown beside them: in my meetings' list, with me to tell mine apart.
    let owner_me = chosen
        .meetings
        .then(|| user.session.user_id.parse::<Uuid>().ok())
        .flatten();
    let body = html! {
        div.page-head {
            h1 { (title) }
            nav.tabs aria-label=(tr.t("todos.scope")) {
                a href=(scope_link(false)) aria-current=[(!chosen.meetings).then_some("page")] { (tr.t("todos.mine")) }
                a href=(scope_link(true)) aria-current=[chosen.meetings.then_some("page")] { (tr.t("todos.of_meetings")) }
            }
        }
        form.filters method="get" action="/todos" aria-label=(tr.t("todos.filter")) {
            @if chosen.meetings { input type="hidden" name="scope" value="meetings"; }
            div {
                label for="f-status" { (tr.t("todos.filters.status")) }
                select id="f-status" name="status" {
                    @for s in STATUSES {
                        option value=(s) selected[chosen.status == s] { (tr.t(&format!("todos.status_filter.{s}"))) }
                    }
                }
            }
            div {
                label for="f-meeting" { (tr.t("todos.filters.meeting")) }
                select id="f-meeting" name="meeting" {
                    option value="" { (tr.t("todos.filters.any_meeting")) }
                    @for (id, name) in &meetings {
                        option value=(id) selected[chosen.meeting == Some(*id)] { (name) }
                    }
                }
            }
            div {
                label for="f-due" { (tr.t("todos.filters.due")) }
                select id="f-due" name="due" {
                    option value="" { (tr.t("todos.filters.any_due")) }
                    @for d in Due::ALL {
                        option value=(d.code()) selected[chosen.due == Some(d)] { (tr.t(d.key())) }
                    }
                }
            }
            button.secondary type="submit" { (tr.t("todos.filters.apply")) }
        }
        @if let Some(key) = error {
            div.error role="alert" { p { (tr.t(key)) } }
        }
        section.card {
            @if shown.is_empty() {
                p.empty { (tr.t(match (chosen.status, chosen.due.is_some() || chosen.meeting.is_some()) {
                    (_, true) => "todos.empty_filtered",
                    ("done", _) => "todos.empty_done",
                    _ => "dashboard.empty_todos",
                })) }
            } @else if !grouped {
                // The actions' forms swap `main` in place with htmx: said once, here, and
                // inherited by each form.
                ul.list.todos hx-target="#main" hx-select="#main" hx-swap="outerHTML" {
                    @for t in &shown { (item(&tr, &csrf, t, &back, owner_me, Due::of(t.due_date, today))) }
                }
            } @else {
                @for group in Due::ALL {
                    @let items: Vec<&&Todo> = shown.iter().filter(|t| Due::of(t.due_date, today) == group).collect();
                    @if !items.is_empty() {
                        h2 class=(group.css()) { (tr.t(group.key())) }
                        ul.list.todos hx-target="#main" hx-select="#main" hx-swap="outerHTML" {
                            @for t in items { (item(&tr, &csrf, t, &back, owner_me, group)) }
                        }
                    }
                }
            }
        }
    };
    layout::page(&tr, title, Some(&user.session), &csrf, body).into_response()
}

fn item(tr: &Tr<'_>, csrf: &CsrfToken, t: &Todo, back: &str, me: Option<Uuid>, due: Due) -> Markup {
    // In the list of my meetings' to-dos, someone else's are read-only here (their page says
    // who may change them).
    let show_owner = me.is_some();
    let mine = me.is_none_or(|me| t.assignee_id == Some(me) || t.created_by == Some(me));
    let next: &[(&str, &str)] = match t.status.as_str() {
        "OPEN" => &[("IN_PROGRESS", "todos.start"), ("DONE", "todos.finish")],
        "IN_PROGRESS" => &[("DONE", "todos.finish")],
        _ => &[],
    };
    // Made of a UUID and fixed text: nothing to escape.
    let path = PreEscaped(format!("/todos/{}", t.id));
    let action = PreEscaped(format!("/todos/{}/status", t.id));
    html! {
        li.todo id=(PreEscaped(format!("todo-{}", t.id))) {
            div {
                a.title href=(path) { (t.title) }
                span.meta {
                    span.status { (tr.t(&format!("todo.status.{}", t.status))) }
                    @if let Some(date) = t.due_date {
                        " · "
                        span class=[(due == Due::Overdue && t.status != "DONE").then_some("due-overdue")] {
                            (tr.f("todo.due", &[("date", &tr.date(date))]))
                        }
                    }
                    @if show_owner {
                        " · "
                        @match &t.assignee_name {
                            Some(name) => span.who { (name) },
                            None => span.who { (tr.t("minutes.unassigned")) },
                        }
                    }
                    @if let Some(meeting) = t.meeting_id {
                        " · " a href=(PreEscaped(format!("/meetings/{meeting}"))) {
                            @match &t.meeting_title {
                                Some(title) => (title),
                                None => (tr.t("todos.from_meeting")),
                            }
                        }
                    }
                }
            }
            @if !next.is_empty() && mine {
                div.actions {
                    @for (status, label) in next {
                        // In place with htmx (target, selection and swap from the list): the
                        // answer's `main` replaces this one.
                        form method="post" action=(action) hx-post=(action) {
                            (csrf_field(csrf))
                            input type="hidden" name="status" value=(status);
                            @if back != "/todos" {
                                input type="hidden" name="back" value=(back);
                            }
                            button.secondary.small type="submit"
                                aria-label=(format!("{}: {}", tr.t(label), t.title)) { (tr.t(label)) }
                        }
                    }
                }
            }
        }
    }
}

/// `PATCH /api/todos/{id}` with `body`.
async fn patch(
    state: &AppState,
    user: &SignedIn,
    id: Uuid,
    body: &serde_json::Value,
) -> Result<crate::api::Reply, crate::api::ApiFailure> {
    let path = format!("/api/todos/{id}");
    user.send(state, Method::PATCH, &path, Some(body)).await
}

/// Moves a to-do forward and comes back to the list it was moved from.
pub(crate) async fn set_status(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Response {
    // Only back to a list of to-dos: never to another site.
    let back = form
        .back
        .as_deref()
        .filter(|b| *b == "/todos" || b.starts_with("/todos?"))
        .unwrap_or("/todos");
    let Ok(id) = id.parse::<Uuid>() else {
        return Redirect::to(back).into_response();
    };
    if !matches!(form.status.as_str(), "IN_PROGRESS" | "DONE") {
        return Redirect::to(back).into_response();
    }
    let body = json!({ "status": form.status });
    let reply = patch(&state, &user, id, &body).await;
    match reply {
        Ok(r) if r.status.is_success() => Redirect::to(back).into_response(),
        Ok(r) if r.status.is_client_error() && r.status != StatusCode::UNAUTHORIZED => {
            let sep = if back.contains('?') { '&' } else { '?' };
            Redirect::to(&format!("{back}{sep}error=todo.error.moved")).into_response()
        }
        Ok(r) => failed(&state, &headers, &r.failure()),
        Err(e) => failed(&state, &headers, &e),
    }
}

/// One to-do as its page shows it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TodoDetail {
    id: Uuid,
    title: String,
    status: String,
    #[serde(default)]
    meeting_id: Option<Uuid>,
    #[serde(default)]
    assignee_id: Option<Uuid>,
    #[serde(default)]
    assignee_name: Option<String>,
    #[serde(default)]
    due_date: Option<NaiveDate>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct MeetingPeople {
    title: String,
    participants: Vec<Person>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Person {
    user_id: Uuid,
    name: String,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct OneQuery {
    #[serde(default)]
    error: Option<String>,
}

/// The errors a to-do's page may be sent back with.
const ONE_ERRORS: &[&str] = &[
    "todo.error.forbidden",
    "todo.error.assignee",
    "todo.error.delete_forbidden",
    "todo.error.invalid",
    "todo.error.moved",
];

/// A to-do's page (notifications link to it): what it is, and — until it is done — its
/// title, owner and due date to change, where the API allows (its assignee, its creator or
/// the meeting's owner).
pub(crate) async fn one(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    user: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
    Query(q): Query<OneQuery>,
) -> Response {
    let Ok(id) = id.parse::<Uuid>() else {
        return crate::pages::errors::not_found(State(state), Extension(csrf), headers).await;
    };
    let todo: TodoDetail = match user.get(&state, &format!("/api/todos/{id}")).await {
        Ok(t) => t,
        Err(crate::api::ApiFailure::Status(StatusCode::NOT_FOUND, _)) => {
            return crate::pages::errors::not_found(State(state), Extension(csrf), headers).await;
        }
        Err(e) => return failed(&state, &headers, &e),
    };
    // Who it may go to: the meeting's participants, or just me.
    let meeting = match todo.meeting_id {
        Some(m) => user
            .get::<MeetingPeople>(&state, &format!("/api/meetings/{m}"))
            .await
            .ok(),
        None => None,
    };
    let me: Uuid = user.session.user_id.parse().unwrap_or_default();
    let mut people: Vec<(Uuid, String)> = match &meeting {
        Some(m) => m
            .participants
            .iter()
            .map(|p| (p.user_id, p.name.clone()))
            .collect(),
        None => vec![(me, user.session.name.clone())],
    };
    if let (Some(a), Some(name)) = (todo.assignee_id, &todo.assignee_name) {
        if !people.iter().any(|(id, _)| *id == a) {
            people.push((a, name.clone()));
        }
    }
    let tr = tr(&state, &headers, Some(&user.session));
    let error = q
        .error
        .as_deref()
        .and_then(|e| ONE_ERRORS.iter().find(|k| **k == e).copied());
    let title = todo.title.clone();
    let body = html! {
        section.card.narrow.wide {
            h1 { (todo.title) }
            p.meta {
                span.status { (tr.t(&format!("todo.status.{}", todo.status))) }
                @if let Some(m) = &meeting {
                    " · " a href=(format!("/meetings/{}", todo.meeting_id.unwrap_or_default())) { (m.title) }
                }
            }
            @if let Some(key) = error {
                div.error role="alert" {
                    h2 { (tr.t("auth.error.heading")) }
                    p { (tr.t(key)) }
                }
            }
            @if todo.status == "DONE" {
                p.empty { (tr.t("todo.edit.done")) }
            } @else {
                form method="post" action=(format!("/todos/{}", todo.id)) {
                    (csrf_field(&csrf))
                    label for="title" { (tr.t("meeting.field.title")) }
                    input id="title" name="title" type="text" required maxlength="200" value=(todo.title);
                    label for="assignee" { (tr.t("todo.edit.assignee")) }
                    select id="assignee" name="assignee" {
                        option value="" selected[todo.assignee_id.is_none()] { (tr.t("minutes.unassigned")) }
                        @for (pid, name) in &people {
                            option value=(pid) selected[todo.assignee_id == Some(*pid)] { (name) }
                        }
                    }
                    label for="due" { (tr.t("todo.edit.due")) }
                    input id="due" name="due" type="date"
                        value=(todo.due_date.map(|d| d.to_string()).unwrap_or_default());
                    button type="submit" { (tr.t("settings.save")) }
                }
            }
            details.danger {
                summary { (tr.t("todo.delete.link")) }
                form method="post" action=(format!("/todos/{}/delete", todo.id)) {
                    (csrf_field(&csrf))
                    button.danger type="submit" { (tr.t("todo.delete.submit")) }
                }
            }
            p { a href=(format!("/todos#todo-{}", todo.id)) { (tr.t("todo.edit.back")) } }
        }
    };
    layout::page(&tr, &title, Some(&user.session), &csrf, body).into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct EditForm {
    #[serde(default)]
    title: String,
    #[serde(default)]
    assignee: String,
    #[serde(default)]
    due: String,
}

/// Changes a to-do's title, assignee and due date (an empty date removes it).
pub(crate) async fn edit(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<EditForm>,
) -> Response {
    let Ok(id) = id.parse::<Uuid>() else {
        return Redirect::to("/todos").into_response();
    };
    let assignee = form.assignee.trim().parse::<Uuid>().ok();
    let due = Some(form.due.trim()).filter(|d| !d.is_empty());
    let body = json!({ "title": form.title.trim(), "assigneeId": assignee, "dueDate": due });
    let reply = patch(&state, &user, id, &body).await;
    let error = match reply {
        Ok(r) if r.status.is_success() => {
            return Redirect::to(&format!("/todos#todo-{id}")).into_response();
        }
        Ok(r) if r.code() == Some("todo_assignee_forbidden") => "todo.error.assignee",
        Ok(r) if r.status == StatusCode::FORBIDDEN => "todo.error.forbidden",
        Ok(r) if r.status == StatusCode::CONFLICT => "todo.error.moved",
        Ok(r) if r.status.is_client_error() && r.status != StatusCode::UNAUTHORIZED => {
            "todo.error.invalid"
        }
        Ok(r) => return failed(&state, &headers, &r.failure()),
        Err(e) => return failed(&state, &headers, &e),
    };
    Redirect::to(&format!("/todos/{id}?error={error}")).into_response()
}

/// Deletes a to-do (its creator or its meeting's owner) and goes back to the list.
pub(crate) async fn delete(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<Uuid>() else {
        return Redirect::to("/todos").into_response();
    };
    let path = format!("/api/todos/{id}");
    match user.send(&state, Method::DELETE, &path, None).await {
        Ok(r) if r.status.is_success() || r.status == StatusCode::NOT_FOUND => {
            Redirect::to("/todos").into_response()
        }
        Ok(r) if r.status == StatusCode::FORBIDDEN => {
            Redirect::to(&format!("/todos/{id}?error=todo.error.delete_forbidden")).into_response()
        }
        Ok(r) => failed(&state, &headers, &r.failure()),
        Err(e) => failed(&state, &headers, &e),
    }
}
