//! My to-dos: the open ones grouped by when they are due (overdue, today, this week, later),
//! or the done ones; each moves forward with one button (start, done — a to-do's status only
//! moves forward) and links to the meeting it came from.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::{Extension, Form};
use chrono::{NaiveDate, Utc};
use maud::{html, Markup};
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
    due_date: Option<NaiveDate>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Filter {
    /// `open` (the default) or `done`.
    #[serde(default)]
    show: Option<String>,
    #[serde(default)]
    error: Option<String>,
}

#[derive(Debug, Deserialize)]
pub(crate) struct StatusForm {
    status: String,
    #[serde(default)]
    show: Option<String>,
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    user: SignedIn,
    headers: HeaderMap,
    Query(filter): Query<Filter>,
) -> Response {
    let done = filter.show.as_deref() == Some("done");
    let me = &user.session.user_id;
    let path = if done {
        format!("/api/todos?size=100&assigneeId={me}&status=DONE")
    } else {
        format!("/api/todos?size=100&assigneeId={me}")
    };
    let todos = match user.get::<Page<Todo>>(&state, &path).await {
        Ok(page) => page.items,
        Err(e) => return failed(&state, &headers, &e),
    };
    let tr = tr(&state, &headers, user.session.locale.as_deref());
    let mut mine: Vec<&Todo> = todos
        .iter()
        .filter(|t| (t.status == "DONE") == done)
        .collect();
    let today = Utc::now().with_timezone(&tr.offset).date_naive();
    mine.sort_by_key(|t| (Due::of(t.due_date, today), t.due_date));
    let show = if done { "done" } else { "open" };
    let error = filter.error.as_deref().filter(|e| *e == "todo.error.moved");
    let title = tr.t("todos.title");
    let body = html! {
        div.page-head {
            h1 { (title) }
            nav.tabs aria-label=(tr.t("todos.filter")) {
                a href="/todos" aria-current=[(!done).then_some("page")] { (tr.t("todos.open")) }
                a href="/todos?show=done" aria-current=[done.then_some("page")] { (tr.t("todos.done")) }
            }
        }
        @if let Some(key) = error {
            div.error role="alert" { p { (tr.t(key)) } }
        }
        section.card {
            @if mine.is_empty() {
                p.empty { (tr.t(if done { "todos.empty_done" } else { "dashboard.empty_todos" })) }
            } @else if done {
                ul.list.todos { @for t in &mine { (item(&tr, &csrf, t, show, None)) } }
            } @else {
                @for group in Due::ALL {
                    @let items: Vec<&&Todo> = mine.iter().filter(|t| Due::of(t.due_date, today) == group).collect();
                    @if !items.is_empty() {
                        h2 class=(group.css()) { (tr.t(group.key())) }
                        ul.list.todos { @for t in items { (item(&tr, &csrf, t, show, Some(group))) } }
                    }
                }
            }
        }
    };
    layout::page(&tr, &title, Some(&user.session), &csrf, body).into_response()
}

fn item(tr: &Tr<'_>, csrf: &CsrfToken, t: &Todo, show: &str, due: Option<Due>) -> Markup {
    let next: &[(&str, &str)] = match t.status.as_str() {
        "OPEN" => &[("IN_PROGRESS", "todos.start"), ("DONE", "todos.finish")],
        "IN_PROGRESS" => &[("DONE", "todos.finish")],
        _ => &[],
    };
    html! {
        li.todo id=(format!("todo-{}", t.id)) {
            div {
                a.title href=(format!("/todos/{}", t.id)) { (t.title) }
                span.meta {
                    span.status { (tr.t(&format!("todo.status.{}", t.status))) }
                    @if let Some(date) = t.due_date {
                        " · "
                        span class=[(due == Some(Due::Overdue)).then_some("due-overdue")] {
                            (tr.f("todo.due", &[("date", &tr.date(date))]))
                        }
                    }
                    @if let Some(meeting) = t.meeting_id {
                        " · " a href=(format!("/meetings/{meeting}")) { (tr.t("todos.from_meeting")) }
                    }
                }
            }
            @if !next.is_empty() {
                div.actions {
                    @for (status, label) in next {
                        // In place with htmx: the answer's `main` replaces this one.
                        form method="post" action=(format!("/todos/{}/status", t.id))
                            hx-post=(format!("/todos/{}/status", t.id)) hx-target="#main"
                            hx-select="#main" hx-swap="outerHTML" {
                            (csrf_field(csrf))
                            input type="hidden" name="status" value=(status);
                            input type="hidden" name="show" value=(show);
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

/// Moves a to-do forward and comes back to the list.
pub(crate) async fn set_status(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
    Form(form): Form<StatusForm>,
) -> Response {
    let back = match form.show.as_deref() {
        Some("done") => "/todos?show=done",
        _ => "/todos",
    };
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
    let tr = tr(&state, &headers, user.session.locale.as_deref());
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
