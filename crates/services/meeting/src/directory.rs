//! The participant directory: a local copy of every user's name and e-mail, kept from the
//! `user.created/updated/deleted` events on `meeting.user.queue` (event-carried state, so
//! creating a meeting never calls the identity service).
//!
//! The consumer is idempotent: the event id goes into the inbox in the same transaction as
//! the directory change, and a redelivered event changes nothing. Events for one user may
//! arrive out of order (several workers, redeliveries), so an upsert only wins over a row
//! whose `updated_at` (the event's `occurredAt`) is not newer.

use async_trait::async_trait;
use quorum_bus::{inbox_record, Delivery, Envelope, HandleError, Handler};
use quorum_contracts::events::{self, UserChanged, UserDeleted};
use quorum_store::sqlx;
use uuid::Uuid;

use crate::app::AppState;
use crate::error::ApiError;
use crate::repository;

/// The queue this service consumes user events from.
pub(crate) const QUEUE: &str = "meeting.user.queue";
/// The consumer's name in the inbox.
pub(crate) const CONSUMER: &str = "meeting.directory";

pub(crate) struct DirectoryHandler {
    state: AppState,
}

impl DirectoryHandler {
    pub(crate) fn new(state: AppState) -> Self {
        Self { state }
    }

    /// Applies one event; returns the user whose entry changed, if any.
    async fn apply(&self, envelope: &Envelope) -> Result<Option<Uuid>, HandleError> {
        let retry = |e: ApiError| HandleError::Retry(e.to_string());
        let store = |e: sqlx::Error| HandleError::Retry(format!("directory: {e}"));
        let reject = |e: quorum_bus::BusError| HandleError::Reject(e.to_string());
        let mut tx = self.state.db.begin().await.map_err(|e| retry(e.into()))?;
        let first = inbox_record(&mut tx, CONSUMER, envelope.id)
            .await
            .map_err(|e| HandleError::Retry(e.to_string()))?;
        if !first {
            tracing::debug!(event = %envelope.id, "duplicate user event skipped");
            return Ok(None);
        }
        let user = match envelope.kind.as_str() {
            events::USER_CREATED | events::USER_UPDATED => {
                let u: UserChanged = envelope.data_as().map_err(reject)?;
                sqlx::query(
                    "INSERT INTO directory (user_id, name, email, locale, updated_at) \
                     VALUES ($1, $2, $3, $4, $5) \
                     ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, \
                     email = excluded.email, locale = excluded.locale, \
                     updated_at = excluded.updated_at \
                     WHERE directory.updated_at <= excluded.updated_at",
                )
                .bind(u.user_id.to_string())
                .bind(&u.name)
                .bind(&u.email)
                .bind(u.locale.clone())
                .bind(u.occurred_at.timestamp_millis())
                .execute(&mut *tx)
                .await
                .map_err(store)?;
                Some(u.user_id)
            }
            events::USER_DELETED => {
                let u: UserDeleted = envelope.data_as().map_err(reject)?;
                sqlx::query("DELETE FROM directory WHERE user_id = $1 AND updated_at <= $2")
                    .bind(u.user_id.to_string())
                    .bind(u.occurred_at.timestamp_millis())
                    .execute(&mut *tx)
                    .await
                    .map_err(store)?;
                Some(u.user_id)
            }
            other => {
                tracing::debug!(kind = other, "user event ignored");
                None
            }
        };
        tx.commit().await.map_err(store)?;
        Ok(user)
    }

    /// Participant lists show names: drop those that include `user`.
    async fn evict_meetings_of(&self, user: Uuid) -> Result<(), ApiError> {
        let mut conn = self.state.db.reader().acquire().await?;
        let meetings = repository::meetings_of(&mut conn, user).await?;
        drop(conn);
        for meeting in meetings {
            self.state.evict_participants(meeting).await;
        }
        Ok(())
    }
}

#[async_trait]
impl Handler for DirectoryHandler {
    async fn handle(&self, delivery: &dyn Delivery) -> Result<(), HandleError> {
        let envelope = Envelope::from_bytes(&delivery.message().body)
            .map_err(|e| HandleError::Reject(e.to_string()))?;
        if let Some(user) = self.apply(&envelope).await? {
            tracing::info!(%user, kind = %envelope.kind, "directory updated");
            // The change is committed; a failed eviction only leaves names stale until the
            // participants TTL, so it is logged, not retried.
            if let Err(e) = self.evict_meetings_of(user).await {
                tracing::warn!(%user, error = %e, "participant cache eviction failed");
            }
        }
        Ok(())
    }
}
