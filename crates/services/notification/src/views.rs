//! Request and response bodies (camelCase JSON), with their OpenAPI schemas.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::repository::notifications::NotificationRecord;

/// An in-app notification.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct NotificationView {
    pub(crate) id: Uuid,
    /// The event kind that caused it: `meeting.ended`, `todo.created`, …
    pub(crate) kind: String,
    pub(crate) title: String,
    pub(crate) body: String,
    /// Where it leads in the web app: `/meetings/{id}`, `/todos/{id}`, …
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) link: Option<String>,
    /// Ids it is about (`meetingId`, `transcriptId`, `todoId`, …).
    #[schema(value_type = Object)]
    pub(crate) data: serde_json::Value,
    pub(crate) created_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) read_at: Option<DateTime<Utc>>,
}

pub(crate) fn millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl From<NotificationRecord> for NotificationView {
    fn from(n: NotificationRecord) -> Self {
        Self {
            id: n.id,
            kind: n.kind,
            title: n.title,
            body: n.body,
            link: n.link,
            data: n.data,
            created_at: millis(n.created_at),
            read_at: n.read_at.map(millis),
        }
    }
}

/// `GET /api/notifications` filter.
#[derive(Debug, Clone, Copy, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListFilter {
    /// Only notifications not yet read.
    pub(crate) unread: Option<bool>,
}

/// One Server-Sent Event of `GET /api/notifications/stream` (documentation: the schema of
/// each event of the `text/event-stream`).
#[derive(ToSchema)]
#[allow(dead_code)] // never constructed: it only describes the stream
pub(crate) struct StreamEvent {
    /// `ready` once the stream is open, then `notification` for each new notification, or
    /// `lagged` when the stream fell behind and missed some (read them with
    /// `GET /api/notifications`).
    #[schema(inline)]
    event: StreamEventName,
    /// `{}` for `ready`; the notification (`NotificationView`) as JSON; `{"missed": n}` for
    /// `lagged`.
    #[schema(content_media_type = "application/json")]
    data: String,
    /// The notification's id (`notification` events only).
    id: Option<Uuid>,
}

/// The names of [`StreamEvent`]s.
#[derive(ToSchema)]
#[schema(rename_all = "lowercase")]
#[allow(dead_code)] // never constructed: it only describes the stream
pub(crate) enum StreamEventName {
    Ready,
    Notification,
    Lagged,
}

/// One page of notifications.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub(crate) struct NotificationPage {
    pub(crate) items: Vec<NotificationView>,
    pub(crate) page: u32,
    pub(crate) size: u32,
    pub(crate) total: u64,
}
