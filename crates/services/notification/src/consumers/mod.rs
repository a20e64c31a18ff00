//! Event consumers. Each queue has its own consumer (and inbox name):
//!
//! | queue | exchange, pattern | consumer |
//! |---|---|---|
//! | `notification.meeting.queue` | `meeting.events`, `meeting.*` | `notification.meeting` |
//! | `notification.transcript.queue` | `transcript.events`, `transcript.*` | `notification.transcript` |
//! | `notification.todo.queue` | `todo.events`, `todo.*` | `notification.todo` |
//! | `notification.ai.queue` | `ai.events`, `ai.analysis.completed` | `notification.ai` |
//! | `notification.user.queue` | `user.events`, `user.*` | `notification.user` ([`contacts`]) |
//!
//! An event is handled in one transaction: the inbox row, what the service remembers of it
//! ([`plan`]), one in-app notification per recipient and the e-mail deliveries with their
//! jobs in the outbox ([`notify`]). After commit the relay is woken and the new
//! notifications go to open streams.

pub(crate) mod contacts;
pub(crate) mod notify;
pub(crate) mod plan;

use async_trait::async_trait;
use quorum_bus::{inbox_record, Delivery, Envelope, HandleError, Handler};
use quorum_contracts::exchanges;

use crate::app::AppState;
use crate::error::ApiError;

/// One event consumer: its queue, the exchange and pattern it binds, its inbox name.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Consumer {
    pub(crate) queue: &'static str,
    pub(crate) exchange: &'static str,
    pub(crate) pattern: &'static str,
    pub(crate) name: &'static str,
}

pub(crate) const EVENT_CONSUMERS: [Consumer; 4] = [
    Consumer {
        queue: "notification.meeting.queue",
        exchange: exchanges::MEETING,
        pattern: "meeting.*",
        name: "notification.meeting",
    },
    Consumer {
        queue: "notification.transcript.queue",
        exchange: exchanges::TRANSCRIPT,
        pattern: "transcript.*",
        name: "notification.transcript",
    },
    Consumer {
        queue: "notification.todo.queue",
        exchange: exchanges::TODO,
        pattern: "todo.*",
        name: "notification.todo",
    },
    Consumer {
        queue: "notification.ai.queue",
        exchange: exchanges::AI,
        pattern: "ai.analysis.completed",
        name: "notification.ai",
    },
];

pub(crate) const USER_CONSUMER: Consumer = Consumer {
    queue: "notification.user.queue",
    exchange: exchanges::USER,
    pattern: "user.*",
    name: "notification.user",
};

pub(crate) fn retry(e: impl std::fmt::Display) -> HandleError {
    HandleError::Retry(e.to_string())
}

/// Turns events into notifications.
pub(crate) struct EventHandler {
    state: AppState,
    consumer: &'static str,
}

impl EventHandler {
    pub(crate) fn new(state: AppState, consumer: &'static str) -> Self {
        Self { state, consumer }
    }
}

#[async_trait]
impl Handler for EventHandler {
    async fn handle(&self, delivery: &dyn Delivery) -> Result<(), HandleError> {
        let envelope = Envelope::from_bytes(&delivery.message().body)
            .map_err(|e| HandleError::Reject(e.to_string()))?;
        let mut tx = self.state.db.begin().await.map_err(retry)?;
        if !inbox_record(&mut tx, self.consumer, envelope.id)
            .await
            .map_err(retry)?
        {
            tracing::debug!(event = %envelope.id, consumer = self.consumer, "duplicate event skipped");
            return Ok(());
        }
        let planned = plan::plan(&mut tx, &envelope).await?;
        let written = match &planned {
            Some(p) => notify::write(&self.state, &mut tx, &envelope, p)
                .await
                .map_err(|e: ApiError| retry(e))?,
            None => notify::Written::default(),
        };
        tx.commit().await.map_err(retry)?;
        if written.emails > 0 {
            self.state.outbox.committed();
        }
        tracing::info!(event = %envelope.id, kind = %envelope.kind,
            notifications = written.in_app.len(), emails = written.emails, "event handled");
        metrics::counter!("notifications_created_total", "kind" => envelope.kind.clone())
            .increment(written.in_app.len() as u64);
        for (user, view) in written.in_app {
            self.state.hub.publish(user, view);
        }
        Ok(())
    }
}
