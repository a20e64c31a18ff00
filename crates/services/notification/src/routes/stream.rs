//! `GET /api/notifications/stream`: the caller's new notifications as Server-Sent Events.
//!
//! The stream opens with a `ready` event; each notification then arrives as a
//! `notification` event (id = notification id, data = the notification's JSON) once the
//! transaction that created it has committed. A client too slow to keep up gets a `lagged`
//! event (`{"missed": n}`) and should reload the list. Comments keep idle connections alive.

use std::convert::Infallible;
use std::time::Duration;

use axum::extract::State;
use axum::response::sse::{Event, KeepAlive, Sse};
use futures::stream::{self, Stream, StreamExt as _};
use quorum_web::CurrentUser;
use tokio_stream::wrappers::{errors::BroadcastStreamRecvError, BroadcastStream};

use crate::app::AppState;

const KEEP_ALIVE: Duration = Duration::from_secs(15);

/// Live notifications for the caller.
#[utoipa::path(
    get, path = "/api/notifications/stream", tag = "notifications",
    responses(
        (status = 200, description = "`ready`, then a `notification` event for each new notification", content_type = "text/event-stream", body = crate::views::StreamEvent),
        (status = 401, body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller))]
pub(crate) async fn stream(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
) -> Sse<impl Stream<Item = Result<Event, Infallible>>> {
    let receiver = state.hub.subscribe(caller);
    let ready = stream::once(async { Ok(Event::default().event("ready").data("{}")) });
    let live = BroadcastStream::new(receiver).map(|item| {
        Ok(match item {
            Ok(n) => {
                let id = n.id.to_string();
                Event::default()
                    .event("notification")
                    .id(id)
                    .json_data(&n)
                    .unwrap_or_else(|_| Event::default().comment("unserializable notification"))
            }
            Err(BroadcastStreamRecvError::Lagged(missed)) => Event::default()
                .event("lagged")
                .data(format!("{{\"missed\":{missed}}}")),
        })
    });
    let closing = state.closing.clone();
    let events = ready
        .chain(live)
        .take_until(async move { closing.cancelled().await });
    Sse::new(events).keep_alive(KeepAlive::new().interval(KEEP_ALIVE))
}
