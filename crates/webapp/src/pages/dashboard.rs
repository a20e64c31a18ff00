//! The dashboard: meetings in progress and upcoming, my open to-dos grouped by when they are
//! due, recent minutes and the unread notifications — each with a helpful empty state.

use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use axum::Extension;
use chrono::{DateTime, Datelike as _, NaiveDate, Utc};
use maud::{html, Markup};
use serde::Deserialize;

use crate::api::{ApiFailure, Page};
use crate::csrf::CsrfToken;
use crate::i18n::Tr;
use crate::pages::errors::{failed, tr};
use crate::pages::layout;
use crate::session::SignedIn;
use crate::AppState;

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Meeting {
    id: String,
    title: String,
    status: String,
    scheduled_at: DateTime<Utc>,
    #[serde(default)]
    ended_at: Option<DateTime<Utc>>,
    participants: Vec<serde_json::Value>,
    progress: Progress,
}

#[derive(Debug, Deserialize)]
struct Progress {
    completed: i64,
    total: i64,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Todo {
    title: String,
    status: String,
    #[serde(default)]
    due_date: Option<NaiveDate>,
}

/// When an open to-do is due, relative to today.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Due {
    Overdue,
    Today,
    ThisWeek,
    Later,
    None,
}

impl Due {
    pub(crate) const ALL: [Self; 5] = [
        Self::Overdue,
        Self::Today,
        Self::ThisWeek,
        Self::Later,
        Self::None,
    ];

    pub(crate) fn css(self) -> &'static str {
        match self {
            Self::Overdue => "due-overdue",
            Self::Today => "due-today",
            Self::ThisWeek => "due-week",
            Self::Later => "due-later",
            Self::None => "due-none",
        }
    }

    pub(crate) fn of(due: Option<NaiveDate>, today: NaiveDate) -> Self {
        let Some(due) = due else { return Self::None };
        let days_to_sunday = 6 - i64::from(today.weekday().num_days_from_monday());
        let days = (due - today).num_days();
        match days {
            d if d < 0 => Self::Overdue,
            0 => Self::Today,
            d if d <= days_to_sunday => Self::ThisWeek,
            _ => Self::Later,
        }
    }

    /// Its name in a list's address (`due=week`).
    pub(crate) fn code(self) -> &'static str {
        match self {
            Self::Overdue => "overdue",
            Self::Today => "today",
            Self::ThisWeek => "week",
            Self::Later => "later",
            Self::None => "none",
        }
    }

    pub(crate) fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|d| d.code() == code)
    }

    /// The days it spans from `today` (`None` for an open end), as [`Due::of`] reads them;
    /// `None` for [`Due::None`] (no date at all).
    pub(crate) fn range(self, today: NaiveDate) -> Option<(Option<NaiveDate>, Option<NaiveDate>)> {
        let days_to_sunday = 6 - i64::from(today.weekday().num_days_from_monday());
        let day = |n: i64| today.checked_add_signed(chrono::Duration::days(n));
        match self {
            Self::Overdue => Some((None, day(-1))),
            Self::Today => Some((Some(today), Some(today))),
            Self::ThisWeek => Some((day(1), day(days_to_sunday))),
            Self::Later => Some((day(days_to_sunday + 1), None)),
            Self::None => None,
        }
    }

    pub(crate) fn key(self) -> &'static str {
        match self {
            Self::Overdue => "todo.group.overdue",
            Self::Today => "todo.group.today",
            Self::ThisWeek => "todo.group.week",
            Self::Later => "todo.group.later",
            Self::None => "todo.group.none",
        }
    }
}

pub(crate) async fn page(
    State(state): State<AppState>,
    Extension(csrf): Extension<CsrfToken>,
    user: SignedIn,
    headers: HeaderMap,
) -> Response {
    match build(&state, &csrf, &user, &headers).await {
        Ok(markup) => markup.into_response(),
        Err(e) => failed(&state, &headers, &e),
    }
}

async fn build(
    state: &AppState,
    csrf: &CsrfToken,
    user: &SignedIn,
    headers: &HeaderMap,
) -> Result<Markup, ApiFailure> {
    // The API filters by assignee; the open ones (OPEN or IN_PROGRESS) are picked here.
    let my_todos = format!("/api/todos?size=100&assigneeId={}", user.session.user_id);
    let (meetings, todos, unread) = tokio::join!(
        user.get::<Page<Meeting>>(state, "/api/meetings?size=100"),
        user.get::<Page<Todo>>(state, &my_todos),
        user.get::<Page<serde_json::Value>>(state, "/api/notifications?unread=true&size=1"),
    );
    let (meetings, todos, unread) = (meetings?.items, todos?.items, unread?.total);
    let tr = tr(state, headers, Some(&user.session));
    let title = tr.t("dashboard.title");

    let mut in_progress: Vec<&Meeting> = meetings
        .iter()
        .filter(|m| m.status == "IN_PROGRESS")
        .collect();
    in_progress.sort_by_key(|m| m.scheduled_at);
    let mut upcoming: Vec<&Meeting> = meetings
        .iter()
        .filter(|m| m.status == "SCHEDULED")
        .collect();
    upcoming.sort_by_key(|m| m.scheduled_at);
    let mut recent: Vec<&Meeting> = meetings
        .iter()
        .filter(|m| m.status == "MINUTES_READY" || m.status == "ENDED")
        .collect();
    recent.sort_by_key(|m| std::cmp::Reverse(m.ended_at.unwrap_or(m.scheduled_at)));
    recent.truncate(5);

    let today = tr.zone.local(Utc::now()).date();
    let mut mine: Vec<(Due, &Todo)> = todos
        .iter()
        .filter(|t| t.status != "DONE")
        .map(|t| (Due::of(t.due_date, today), t))
        .collect();
    mine.sort_by_key(|(due, t)| (*due, t.due_date));

    let body = html! {
        div.page-head {
            h1 { (tr.f("dashboard.greeting", &[("name", &user.session.name)])) }
            a.button href="/meetings/new" { (tr.t("dashboard.schedule")) }
        }
        div.grid {
            section.card aria-labelledby="meetings-heading" {
                h2 id="meetings-heading" { (tr.t("dashboard.upcoming")) }
                @if in_progress.is_empty() && upcoming.is_empty() {
                    p.empty { (tr.t("dashboard.empty_meetings")) }
                } @else {
                    @if !in_progress.is_empty() {
                        h3 { (tr.t("dashboard.in_progress")) }
                        ul.list { @for m in &in_progress { (meeting_item(&tr, m)) } }
                    }
                    @if !upcoming.is_empty() {
                        ul.list { @for m in &upcoming { (meeting_item(&tr, m)) } }
                    }
                }
            }
            section.card aria-labelledby="todos-heading" {
                h2 id="todos-heading" { (tr.t("dashboard.todos")) }
                @if mine.is_empty() {
                    p.empty { (tr.t("dashboard.empty_todos")) }
                } @else {
                    @for group in Due::ALL {
                        @let items: Vec<&Todo> = mine.iter().filter(|(d, _)| *d == group).map(|(_, t)| *t).collect();
                        @if !items.is_empty() {
                            h3 class=(group.css()) { (tr.t(group.key())) }
                            ul.list {
                                @for t in items {
                                    li {
                                        span.title { (t.title) }
                                        @if let Some(due) = t.due_date {
                                            span.meta { (tr.f("todo.due", &[("date", &tr.date(due))])) }
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            section.card aria-labelledby="recent-heading" {
                h2 id="recent-heading" { (tr.t("dashboard.recent")) }
                @if recent.is_empty() {
                    p.empty { (tr.t("dashboard.empty_recent")) }
                } @else {
                    ul.list { @for m in &recent { (meeting_item(&tr, m)) } }
                }
            }
            section.card aria-labelledby="notifications-heading" {
                h2 id="notifications-heading" { (tr.t("dashboard.notifications")) }
                @if unread == 0 {
                    p.empty { (tr.t("dashboard.no_unread")) }
                } @else {
                    p.count { (tr.count("dashboard.unread", unread)) }
                }
            }
        }
    };
    Ok(layout::page(&tr, title, Some(&user.session), csrf, body))
}

fn meeting_item(tr: &Tr<'_>, m: &Meeting) -> Markup {
    html! {
        li {
            a.title href=(format!("/meetings/{}", m.id)) { (m.title) }
            span.meta {
                span.status { (tr.t(&format!("meeting.status.{}", m.status))) }
                " · " (tr.datetime(m.scheduled_at))
                " · " (tr.count("dashboard.participants", m.participants.len() as u64))
                @if m.progress.total > 0 {
                    " · " (tr.f("dashboard.progress", &[
                        ("done", &m.progress.completed.to_string()),
                        ("total", &m.progress.total.to_string()),
                    ]))
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn todos_are_grouped_by_when_they_are_due() {
        // Thursday, 3 December 2026.
        let today = NaiveDate::from_ymd_opt(2026, 12, 3).unwrap();
        let day = |d| NaiveDate::from_ymd_opt(2026, 12, d);
        assert_eq!(Due::of(day(2), today), Due::Overdue);
        assert_eq!(Due::of(day(3), today), Due::Today);
        assert_eq!(Due::of(day(6), today), Due::ThisWeek);
        assert_eq!(Due::of(day(7), today), Due::Later);
        assert_eq!(Due::of(None, today), Due::None);
    }
}
