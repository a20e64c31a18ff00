//! My notifications, newest first: unread ones marked, each one marked read with a button,
//! or all at once; a notification about a meeting or a to-do links to its page. And how I
//! want to be told: in the app and by e-mail, for each kind of notification.

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, Method};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Extension;
use chrono::{DateTime, Utc};
use maud::html;
use serde::Deserialize;
use serde_json::json;
use uuid::Uuid;

use crate::api::Page;
use crate::csrf::CsrfToken;
use crate::pages::errors::{failed, tr};
use crate::pages::layout::{self, csrf_field};
use crate::session::SignedIn;
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Notification {
    id: Uuid,
    title: String,
    body: String,
    #[serde(default)]
    link: Option<String>,
    created_at: DateTime<Utc>,
    #[serde(default)]
    read_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct Filter {
    /// `unread` shows only the unread ones.
    #[serde(default)]
    show: Option<String>,
}

/// The pages of this app a notification may link to (anything else is shown without a link).
fn page_link(link: Option<&str>) -> Option<&str> {
    link.filter(|l| {
        ["/meetings/", "/todos/"].iter().any(|prefix| {
            l.strip_prefix(prefix)
                .is_some_and(|id| id.parse::<Uuid>().is_ok())
        }) || *l == "/todos"
    })
}

pub(crate) async fn list(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    user: SignedIn,
    headers: HeaderMap,
    Query(filter): Query<Filter>,
) -> Response {
    let unread_only = filter.show.as_deref() == Some("unread");
    let path = if unread_only {
        "/api/notifications?size=50&unread=true"
    } else {
        "/api/notifications?size=50"
    };
    let unread_path = "/api/notifications?size=1&unread=true";
    let (page, unread) = tokio::join!(
        user.get::<Page<Notification>>(&state, path),
        user.get::<Page<serde_json::Value>>(&state, unread_path),
    );
    let (items, unread) = match (page, unread) {
        (Ok(page), Ok(unread)) => (page.items, unread.total),
        (Err(e), _) | (_, Err(e)) => return failed(&state, &headers, &e),
    };
    let tr = tr(&state, &headers, Some(&user.session));
    let title = tr.t("notifications.title");
    let back = if unread_only {
        "/notifications?show=unread"
    } else {
        "/notifications"
    };
    let body = html! {
        div.page-head {
            h1 { (title) }
            nav.tabs aria-label=(tr.t("notifications.filter")) {
                a href="/notifications" aria-current=[(!unread_only).then_some("page")] { (tr.t("notifications.all")) }
                a href="/notifications?show=unread" aria-current=[unread_only.then_some("page")] {
                    (tr.count("dashboard.unread", unread))
                }
            }
        }
        div.actions.end {
            a href="/notifications/preferences" { (tr.t("notifications.preferences.link")) }
            @if unread > 0 {
                form method="post" action="/notifications/read-all" hx-post="/notifications/read-all"
                    hx-target="#main" hx-select="#main" hx-swap="outerHTML" {
                    (csrf_field(&csrf))
                    input type="hidden" name="back" value=(back);
                    button.secondary.small type="submit" { (tr.t("notifications.mark_all_read")) }
                }
            }
        }
        section.card {
            @if items.is_empty() {
                p.empty { (tr.t(if unread_only { "dashboard.no_unread" } else { "notifications.empty" })) }
            } @else {
                ul.list.notifications {
                    @for n in &items {
                        li.notification.unread[n.read_at.is_none()] {
                            div {
                                span.title {
                                    @if n.read_at.is_none() {
                                        span.badge { (tr.t("notifications.new")) } " "
                                    }
                                    @match page_link(n.link.as_deref()) {
                                        Some(link) => { a href=(link) { (n.title) } }
                                        None => { (n.title) }
                                    }
                                }
                                span.meta { (n.body) " · " (tr.datetime(n.created_at)) }
                            }
                            @if n.read_at.is_none() {
                                form method="post" action=(format!("/notifications/{}/read", n.id))
                                    hx-post=(format!("/notifications/{}/read", n.id)) hx-target="#main"
                                    hx-select="#main" hx-swap="outerHTML" {
                                    (csrf_field(&csrf))
                                    input type="hidden" name="back" value=(back);
                                    button.secondary.small type="submit"
                                        aria-label=(format!("{}: {}", tr.t("notifications.mark_read"), n.title)) {
                                        (tr.t("notifications.mark_read"))
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
    };
    layout::page(&tr, title, Some(&user.session), &csrf, body).into_response()
}

#[derive(Debug, Deserialize)]
pub(crate) struct ReadForm {
    #[serde(default)]
    back: Option<String>,
}

impl ReadForm {
    /// The list to come back to (one of the two tabs, nothing else).
    fn back(&self) -> &'static str {
        match self.back.as_deref() {
            Some("/notifications?show=unread") => "/notifications?show=unread",
            _ => "/notifications",
        }
    }
}

/// Marks one notification read and comes back to the list.
pub(crate) async fn read(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    Path(id): Path<String>,
    axum::Form(form): axum::Form<ReadForm>,
) -> Response {
    let Ok(id) = id.parse::<Uuid>() else {
        return Redirect::to(form.back()).into_response();
    };
    mark(
        &state,
        &user,
        &headers,
        &format!("/api/notifications/{id}/read"),
        form.back(),
    )
    .await
}

/// Marks every unread notification read and comes back to the list.
pub(crate) async fn read_all(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    axum::Form(form): axum::Form<ReadForm>,
) -> Response {
    mark(
        &state,
        &user,
        &headers,
        "/api/notifications/read-all",
        form.back(),
    )
    .await
}

async fn mark(
    state: &AppState,
    user: &SignedIn,
    headers: &HeaderMap,
    path: &str,
    back: &str,
) -> Response {
    match user.send(state, Method::POST, path, None).await {
        // A notification already read, or gone, changes nothing the user needs to know.
        Ok(r) if r.status.is_success() || r.status.is_client_error() => {
            Redirect::to(back).into_response()
        }
        Ok(r) => failed(state, headers, &r.failure()),
        Err(e) => failed(state, headers, &e),
    }
}

/// The kinds of notification, as the API names them (`meeting.created`, …), in the order the
/// preferences list them.
const KINDS: &[&str] = &[
    "meeting.created",
    "meeting.cancelled",
    "meeting.ended",
    "transcript.created",
    "transcript.shared",
    "ai.analysis.completed",
    "todo.created",
    "todo.completed",
];

/// The catalogue key of a kind's name.
fn kind_label(kind: &str) -> String {
    format!("notifications.kind.{}", kind.replace('.', "_"))
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Preferences {
    channels: ChannelPrefs,
    #[serde(default)]
    kinds: std::collections::BTreeMap<String, KindPrefs>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChannelPrefs {
    in_app: bool,
    email: bool,
    #[serde(default = "yes")]
    webhook: bool,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct KindPrefs {
    #[serde(default = "yes")]
    email: bool,
    #[serde(default = "yes")]
    in_app: bool,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Default, Deserialize)]
pub(crate) struct PrefsQuery {
    #[serde(default)]
    saved: Option<String>,
}

pub(crate) async fn preferences(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    user: SignedIn,
    headers: HeaderMap,
    Query(q): Query<PrefsQuery>,
) -> Response {
    let prefs: Preferences = match user.get(&state, "/api/notifications/preferences").await {
        Ok(p) => p,
        Err(e) => return failed(&state, &headers, &e),
    };
    let tr = tr(&state, &headers, Some(&user.session));
    let title = tr.t("notifications.preferences.title");
    let body = html! {
        h1 { (title) }
        @if q.saved.is_some() {
            p.notice role="status" { (tr.t("notifications.preferences.saved")) }
        }
        form.card method="post" action="/notifications/preferences" {
            (csrf_field(&csrf))
            fieldset {
                legend { (tr.t("notifications.preferences.channels")) }
                label.check {
                    input type="checkbox" name="channel" value="in_app" checked[prefs.channels.in_app];
                    " " (tr.t("notifications.preferences.in_app"))
                }
                label.check {
                    input type="checkbox" name="channel" value="email" checked[prefs.channels.email];
                    " " (tr.t("notifications.preferences.email"))
                }
            }
            table.prefs {
                caption { (tr.t("notifications.preferences.kinds")) }
                thead {
                    tr {
                        th scope="col" { (tr.t("notifications.preferences.kind")) }
                        th scope="col" { (tr.t("notifications.preferences.in_app")) }
                        th scope="col" { (tr.t("notifications.preferences.email")) }
                    }
                }
                tbody {
                    @for kind in KINDS {
                        @let k = prefs.kinds.get(*kind);
                        @let label = tr.text(&kind_label(kind));
                        tr {
                            th scope="row" { (label) }
                            td {
                                input type="checkbox" name="in_app" value=(kind)
                                    checked[k.is_none_or(|k| k.in_app)]
                                    aria-label=(format!("{label}: {}", tr.t("notifications.preferences.in_app")));
                            }
                            td {
                                input type="checkbox" name="email" value=(kind)
                                    checked[k.is_none_or(|k| k.email)]
                                    aria-label=(format!("{label}: {}", tr.t("notifications.preferences.email")));
                            }
                        }
                    }
                }
            }
            input type="hidden" name="webhook" value=(prefs.channels.webhook);
            button type="submit" { (tr.t("notifications.preferences.save")) }
        }
    };
    layout::page(&tr, title, Some(&user.session), &csrf, body).into_response()
}

/// Saves the preferences as the form has them: a box left unticked is off.
pub(crate) async fn save_preferences(
    State(state): State<AppState>,
    user: SignedIn,
    headers: HeaderMap,
    axum::Form(fields): axum::Form<Vec<(String, String)>>,
) -> Response {
    let ticked = |name: &str, value: &str| fields.iter().any(|(n, v)| n == name && v == value);
    let kinds: serde_json::Map<String, serde_json::Value> = KINDS
        .iter()
        .map(|kind| {
            let prefs = json!({
                "inApp": ticked("in_app", kind),
                "email": ticked("email", kind),
            });
            ((*kind).to_owned(), prefs)
        })
        .collect();
    let body = json!({
        "channels": {
            "inApp": ticked("channel", "in_app"),
            "email": ticked("channel", "email"),
            "webhook": ticked("webhook", "true"),
        },
        "kinds": kinds,
    });
    let path = "/api/notifications/preferences";
    match user.send(&state, Method::PUT, path, Some(&body)).await {
        Ok(r) if r.status.is_success() => {
            Redirect::to("/notifications/preferences?saved=1").into_response()
        }
        Ok(r) => failed(&state, &headers, &r.failure()),
        Err(e) => failed(&state, &headers, &e),
    }
}

#[cfg(test)]
mod tests {
    use super::page_link;

    #[test]
    fn only_pages_of_this_app_are_linked() {
        let meeting = "/meetings/01a23bc8-1b12-7211-a151-28aa1d049c8e";
        assert_eq!(page_link(Some(meeting)), Some(meeting));
        assert_eq!(page_link(Some("/todos")), Some("/todos"));
        let todo = "/todos/01a23bc8-1b12-7211-a151-28aa1d049c8e";
        assert_eq!(page_link(Some(todo)), Some(todo));
        assert_eq!(page_link(Some("/transcripts/x")), None);
        assert_eq!(page_link(Some("https://evil.example/")), None);
        assert_eq!(page_link(None), None);
    }
}
