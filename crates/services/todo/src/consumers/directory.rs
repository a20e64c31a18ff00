//! The user directory: a local copy of names (for matching assignees and display) kept
//! from `user.created/updated/deleted`. Events for one user may arrive out of order, so an
//! upsert only wins over a row whose `updated_at` (the event's `occurredAt`) is not newer.

use std::collections::BTreeSet;

use async_trait::async_trait;
use quorum_bus::{Envelope, HandleError};
use quorum_contracts::events::{self, UserChanged, UserDeleted};
use quorum_store::{sqlx, Tx};
use uuid::Uuid;

use super::{reject, retry, Apply};
use crate::app::AppState;
use crate::repository::meetings;

pub(crate) const QUEUE: &str = "todo.user.queue";

pub(crate) struct Directory;

#[async_trait]
impl Apply for Directory {
    fn name(&self) -> &'static str {
        "todo.directory"
    }

    async fn apply(
        &self,
        _state: &AppState,
        tx: &mut Tx,
        envelope: &Envelope,
    ) -> Result<BTreeSet<Uuid>, HandleError> {
        let store = |e: sqlx::Error| retry(e.into());
        let user = match envelope.kind.as_str() {
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
                .execute(&mut **tx)
                .await
                .map_err(store)?;
                u.user_id
            }
            events::USER_DELETED => {
                let u: UserDeleted = envelope.data_as().map_err(reject)?;
                sqlx::query("DELETE FROM directory WHERE user_id = $1 AND updated_at <= $2")
                    .bind(u.user_id.to_string())
                    .bind(u.occurred_at.timestamp_millis())
                    .execute(&mut **tx)
                    .await
                    .map_err(store)?;
                u.user_id
            }
            other => {
                tracing::debug!(kind = other, "user event ignored");
                return Ok(BTreeSet::new());
            }
        };
        // Lists show assignee names: refresh the user's own and those of whoever created
        // todos assigned to them.
        let mut touched: BTreeSet<Uuid> = meetings::creators_of_assigned(tx, user)
            .await
            .map_err(retry)?
            .into_iter()
            .collect();
        touched.insert(user);
        tracing::info!(%user, kind = %envelope.kind, "directory updated");
        Ok(touched)
    }
}
