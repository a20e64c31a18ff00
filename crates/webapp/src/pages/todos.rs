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
use serde_json::{json, Value};
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
                span.title { (t.title) }
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
                        form method="post" action=(format!("/todos/{}/status", t.id)) {
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
    let reply = user
        .send(
            &state,
            Method::PATCH,
            &format!("/api/todos/{id}"),
            Some(&body),
        )
        .await;
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

/// A to-do's own address (notifications link to it): the list, at the to-do — done ones
/// are in the other tab.
pub(crate) async fn one(
    State(state): State<AppState>,
    user: SignedIn,
    Path(id): Path<String>,
) -> Response {
    let Ok(id) = id.parse::<Uuid>() else {
        return Redirect::to("/todos").into_response();
    };
    let done = matches!(
        user.get::<Value>(&state, &format!("/api/todos/{id}")).await,
        Ok(t) if t.get("status").and_then(Value::as_str) == Some("DONE")
    );
    let list = if done { "/todos?show=done" } else { "/todos" };
    Redirect::to(&format!("{list}#todo-{id}")).into_response()
}
