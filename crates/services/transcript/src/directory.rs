//! The user directory: who is a registered user, kept from `user.created/updated/deleted` on
//! `transcript.user.queue` (event-carried state, as in the meeting service), so sharing can
//! refuse unknown users without calling the identity service.
//!
//! Idempotent through the inbox; an upsert only wins over a row whose `updated_at` (the
//! event's `occurredAt`) is not newer, so out-of-order events settle on the latest state.

use async_trait::async_trait;
use quorum_bus::{inbox_record, Delivery, Envelope, HandleError, Handler};
use quorum_contracts::events::{self, UserChanged, UserDeleted};
use quorum_store::sqlx;

use crate::app::AppState;

/// The queue this service consumes user events from.
pub(crate) const QUEUE: &str = "transcript.user.queue";
/// The consumer's name in the inbox.
pub(crate) const CONSUMER: &str = "transcript.directory";

pub(crate) struct DirectoryHandler {
    state: AppState,
}

impl DirectoryHandler {
    pub(crate) fn new(state: AppState) -> Self {
        Self { state }
    }
}

#[async_trait]
impl Handler for DirectoryHandler {
    async fn handle(&self, delivery: &dyn Delivery) -> Result<(), HandleError> {
        let reject = |e: quorum_bus::BusError| HandleError::Reject(e.to_string());
        let retry = |e: &dyn std::fmt::Display| HandleError::Retry(format!("directory: {e}"));
        let envelope = Envelope::from_bytes(&delivery.message().body).map_err(reject)?;
        let mut tx = self.state.db.begin().await.map_err(|e| retry(&e))?;
        if !inbox_record(&mut tx, CONSUMER, envelope.id)
            .await
            .map_err(|e| retry(&e))?
        {
            return Ok(());
        }
        match envelope.kind.as_str() {
            events::USER_CREATED | events::USER_UPDATED => {
                let u: UserChanged = envelope.data_as().map_err(reject)?;
                sqlx::query(
                    "INSERT INTO directory (user_id, name, email, updated_at) \
                     VALUES ($1, $2, $3, $4) \
                     ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, \
                     email = excluded.email, updated_at = excluded.updated_at \
                     WHERE directory.updated_at <= excluded.updated_at",
                )
                .bind(u.user_id.to_string())
                .bind(&u.name)
                .bind(&u.email)
                .bind(u.occurred_at.timestamp_millis())
                .execute(&mut *tx)
                .await
                .map_err(|e| retry(&e))?;
            }
            events::USER_DELETED => {
                let u: UserDeleted = envelope.data_as().map_err(reject)?;
                sqlx::query("DELETE FROM directory WHERE user_id = $1 AND updated_at <= $2")
                    .bind(u.user_id.to_string())
                    .bind(u.occurred_at.timestamp_millis())
                    .execute(&mut *tx)
                    .await
                    .map_err(|e| retry(&e))?;
            }
            other => tracing::debug!(kind = other, "user event ignored"),
        }
        tx.commit().await.map_err(|e| retry(&e))?;
        Ok(())
    }
}
