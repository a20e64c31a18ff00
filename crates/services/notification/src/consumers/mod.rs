//! Event consumers. Each queue has its own consumer (and inbox name):
//!
//! | queue | exchange, pattern | consumer |
//! |---|---|---|
//! | `notification.meeting.queue` | `meeting.events`, `meeting.*` | `notification.meeting` |
//! | `notification.transcript.queue` | `transcript.events`, `transcript.*` | `notification.transcript` |
//! | `notification.todo.queue` | `todo.events`, `todo.*` | `notification.todo` |
//! | `notification.ai.queue` | `ai.events`, `ai.analysis.completed` | `notification.ai` |
//! | `notification.user.queue` | `user.events`, `user.*` | `notification.user` (the user directory, [`quorum_directory`]) |
//! | `notification.auth.queue` | `user.events`, `auth.email_change_requested` | `notification.auth` (the code of an e-mail change, [`confirm`]) |
//!
//! An event is handled in one transaction: the inbox row, what the service remembers of it
//! ([`plan`]), one in-app notification per recipient and the e-mail deliveries with their
//! jobs in the outbox ([`notify`]). After commit the relay is woken and the new
//! notifications go to open streams. `meeting.deleted` deletes what was sent about the
//! meeting instead, and events about a deleted meeting notify nobody ([`deletion`]).

pub(crate) mod confirm;
pub(crate) mod deletion;
pub(crate) mod notify;
pub(crate) mod plan;

use std::sync::Arc;

use async_trait::async_trait;
use quorum_bus::{Apply, Envelope, HandleError, Subscription};
use quorum_contracts::events::{
    AI_ANALYSIS_COMPLETED, AUTH_EMAIL_CHANGE_REQUESTED, MEETING_DELETED,
};
use quorum_contracts::exchanges;
use quorum_service::deleted_meetings;
use quorum_store::Tx;

use crate::app::AppState;

/// One event consumer: its subscription (queue, exchange and pattern) and its inbox name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Consumer {
    pub(crate) subscription: Subscription,
    pub(crate) name: &'static str,
}

const fn consumer(
    queue: &'static str,
    binds: &'static [(&'static str, &'static str)],
    name: &'static str,
) -> Consumer {
    Consumer {
        subscription: Subscription::new(queue, binds),
        name,
    }
}

pub(crate) const EVENT_CONSUMERS: [Consumer; 4] = [
    consumer(
        "notification.meeting.queue",
        &[(exchanges::MEETING, "meeting.*")],
        "notification.meeting",
    ),
    consumer(
        "notification.transcript.queue",
        &[(exchanges::TRANSCRIPT, "transcript.*")],
        "notification.transcript",
    ),
    consumer(
        "notification.todo.queue",
        &[(exchanges::TODO, "todo.*")],
        "notification.todo",
    ),
    consumer(
        "notification.ai.queue",
        &[(exchanges::AI, AI_ANALYSIS_COMPLETED)],
        "notification.ai",
    ),
];

pub(crate) const AUTH_CONSUMER: Consumer = consumer(
    "notification.auth.queue",
    &[(exchanges::USER, AUTH_EMAIL_CHANGE_REQUESTED)],
    "notification.auth",
);

pub(crate) const USER_CONSUMER: Consumer = Consumer {
    subscription: quorum_directory::subscription("notification.user.queue"),
    name: "notification.user",
};

/// Turns events into notifications.
pub(crate) struct Notify {
    state: AppState,
    consumer: &'static str,
}

impl Notify {
    pub(crate) fn consumer(
        state: AppState,
        consumer: &'static str,
    ) -> Arc<quorum_bus::Consumer<Self>> {
        quorum_bus::Consumer::new(state.db.clone(), Self { state, consumer })
    }
}

#[async_trait]
impl Apply for Notify {
    /// The event's type and what was written for it.
    type Outcome = (String, notify::Written);

    fn name(&self) -> &'static str {
        self.consumer
    }

    async fn apply(&self, tx: &mut Tx, envelope: &Envelope) -> Result<Self::Outcome, HandleError> {
        let nothing = || -> Result<Self::Outcome, HandleError> {
            Ok((envelope.kind.clone(), notify::Written::default()))
        };
        if envelope.kind == MEETING_DELETED {
            deletion::apply(tx, envelope).await?;
            return nothing();
        }
        if let Some(meeting) = deletion::meeting_of(envelope) {
            if deleted_meetings::is_deleted(tx, meeting).await? {
                tracing::info!(event = %envelope.id, kind = %envelope.kind, %meeting,
                    "the meeting was deleted; nobody is notified");
                return nothing();
            }
        }
        let planned = plan::plan(tx, envelope).await?;
        let written = match &planned {
            Some(p) => notify::write(&self.state, tx, envelope, p).await?,
            None => notify::Written::default(),
        };
        tracing::info!(event = %envelope.id, kind = %envelope.kind,
            notifications = written.in_app.len(), emails = written.emails, "event handled");
        Ok((envelope.kind.clone(), written))
    }

    async fn committed(&self, (kind, written): Self::Outcome) {
        if written.emails > 0 {
            self.state.outbox.committed();
        }
        metrics::counter!("notifications_created_total", "kind" => kind)
            .increment(written.in_app.len() as u64);
        for (user, view) in written.in_app {
            self.state.hub.publish(user, view);
        }
    }
}
