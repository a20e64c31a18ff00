//! Request and response bodies (camelCase JSON), with their OpenAPI schemas.

use std::collections::BTreeMap;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::{title_schema, Source, TodoStatus};
use crate::repository::todos::TodoRecord;

/// A todo as clients see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TodoView {
    pub(crate) id: Uuid,
    pub(crate) title: String,
    pub(crate) status: TodoStatus,
    pub(crate) source: Source,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) meeting_id: Option<Uuid>,
    /// The title of its meeting.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) meeting_title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) assignee_id: Option<Uuid>,
    /// The assignee's name; for an action item whose assignee matched no participant,
    /// the name as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) assignee_name: Option<String>,
    /// `YYYY-MM-DD`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<String>, format = Date)]
    pub(crate) due_date: Option<NaiveDate>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) created_by: Option<Uuid>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

pub(crate) fn millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl From<TodoRecord> for TodoView {
    fn from(t: TodoRecord) -> Self {
        Self {
            id: t.id,
            title: t.title,
            status: t.status,
            source: t.source,
            meeting_id: t.meeting_id,
            meeting_title: t.meeting_title,
            assignee_id: t.assignee_id,
            assignee_name: t.assignee_name,
            due_date: t.due_date,
            created_by: t.created_by,
            created_at: millis(t.created_at),
            updated_at: millis(t.updated_at),
        }
    }
}

/// `POST /api/todos`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct CreateTodo {
    #[schema(schema_with = title)]
    pub(crate) title: String,
    pub(crate) meeting_id: Option<Uuid>,
    /// A registered user; default: nobody.
    pub(crate) assignee_id: Option<Uuid>,
    /// `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub(crate) due_date: Option<String>,
}

/// `PATCH /api/todos/{id}`: the fields given change; `null` clears `assigneeId`/`dueDate`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub(crate) struct PatchTodo {
    /// OPEN, IN_PROGRESS or DONE; only forward.
    #[schema(value_type = Option<TodoStatus>)]
    pub(crate) status: Option<String>,
    #[schema(schema_with = title_or_null)]
    pub(crate) title: Option<String>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<Uuid>)]
    pub(crate) assignee_id: Option<Option<Uuid>>,
    #[serde(default, deserialize_with = "present")]
    #[schema(value_type = Option<String>, format = Date)]
    pub(crate) due_date: Option<Option<String>>,
}

/// The documented body of `PATCH /api/todos/{id}`: [`PatchTodo`] with at least one field
/// given (a patch that changes nothing is a 422).
pub(crate) struct PatchTodoBody;

impl utoipa::PartialSchema for PatchTodoBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        let fields = <PatchTodo as utoipa::PartialSchema>::schema();
        let given = ["status", "title"];
        let cleared = ["assigneeId", "dueDate"];
        quorum_web::input::at_least_one_of(fields, &given, &cleared).into()
    }
}

impl ToSchema for PatchTodoBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "PatchTodo".into()
    }
}

fn title() -> utoipa::openapi::Object {
    title_schema(false)
}

fn title_or_null() -> utoipa::openapi::Object {
    title_schema(true)
}

/// A field that is present (`Some`, possibly `Some(None)` for `null`) or absent (`None`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(d: D) -> Result<Option<T>, D::Error> {
    T::deserialize(d).map(Some)
}

/// `GET /api/todos` filters.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ListFilter {
    #[param(value_type = Option<Uuid>)]
    pub(crate) meeting_id: Option<String>,
    /// OPEN, IN_PROGRESS or DONE, or several separated by commas (`OPEN,IN_PROGRESS`).
    #[param(pattern = "^(OPEN|IN_PROGRESS|DONE)(,(OPEN|IN_PROGRESS|DONE))*$")]
    pub(crate) status: Option<String>,
    #[param(value_type = Option<Uuid>)]
    pub(crate) assignee_id: Option<String>,
    /// `mine` (the default): assigned to or created by the caller. `meetings`: those too, and
    /// every todo of the meetings the caller takes part in (read from the database, not the
    /// per-user cache).
    #[param(value_type = Option<ListScope>)]
    pub(crate) scope: Option<String>,
    /// Only todos due on or after this day (`YYYY-MM-DD`); todos without a date are left out.
    #[param(format = Date)]
    pub(crate) due_from: Option<String>,
    /// Only todos due on or before this day (`YYYY-MM-DD`); todos without a date are left out.
    #[param(format = Date)]
    pub(crate) due_to: Option<String>,
}

/// The values of `GET /api/todos?scope=` (documentation only: the handler reads the text).
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)] // never constructed: it only describes the parameter
pub(crate) enum ListScope {
    Mine,
    Meetings,
}

/// Todos per status.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub(crate) struct StatusCounts {
    #[serde(rename = "OPEN")]
    pub(crate) open: i64,
    #[serde(rename = "IN_PROGRESS")]
    pub(crate) in_progress: i64,
    #[serde(rename = "DONE")]
    pub(crate) done: i64,
}

impl StatusCounts {
    fn add(&mut self, status: TodoStatus, n: i64) {
        match status {
            TodoStatus::Open => self.open += n,
            TodoStatus::InProgress => self.in_progress += n,
            TodoStatus::Done => self.done += n,
        }
    }
}

/// The counts of one meeting's todos.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MeetingStats {
    pub(crate) meeting_id: Uuid,
    pub(crate) total: i64,
    pub(crate) by_status: StatusCounts,
}

/// `GET /api/todos/stats`: the caller's todos (assigned to or created by them).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct StatsView {
    pub(crate) total: i64,
    pub(crate) by_status: StatusCounts,
    /// Per meeting (todos without a meeting count only in the totals), by meeting id.
    pub(crate) meetings: Vec<MeetingStats>,
}

impl StatsView {
    pub(crate) fn from_counts(rows: Vec<(Option<Uuid>, TodoStatus, i64)>) -> Self {
        let mut by_status = StatusCounts::default();
        let mut per: BTreeMap<Uuid, StatusCounts> = BTreeMap::new();
        for (meeting, status, n) in rows {
            by_status.add(status, n);
            if let Some(m) = meeting {
                per.entry(m).or_default().add(status, n);
            }
        }
        let total = by_status.open + by_status.in_progress + by_status.done;
        let meetings = per
            .into_iter()
            .map(|(meeting_id, c)| MeetingStats {
                meeting_id,
                total: c.open + c.in_progress + c.done,
                by_status: c,
            })
            .collect();
        Self {
            total,
            by_status,
            meetings,
        }
    }
}

/// OpenAPI shape of `quorum_web::Page<TodoView>` (documentation only).
#[derive(ToSchema)]
#[allow(dead_code)] // never constructed: it only describes the list response
pub(crate) struct TodoPage {
    items: Vec<TodoView>,
    page: u32,
    size: u32,
    total: u64,
}
