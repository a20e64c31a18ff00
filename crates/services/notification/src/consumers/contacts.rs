//! The contact list: each user's e-mail, name and locale, kept from `user.created/updated/
//! deleted` on `notification.user.queue` (event-carried state, so notifying never calls the
//! identity service). Idempotent through the inbox, order-tolerant through `updated_at`.

use async_trait::async_trait;
use quorum_bus::{inbox_record, Delivery, Envelope, HandleError, Handler};
use quorum_contracts::events::{self, UserChanged, UserDeleted};

use super::retry;
use crate::app::AppState;
use crate::repository::contacts::{self, Contact};

pub(crate) struct ContactsHandler {
    state: AppState,
    consumer: &'static str,
}

impl ContactsHandler {
    pub(crate) fn new(state: AppState, consumer: &'static str) -> Self {
        Self { state, consumer }
    }
}

#[async_trait]
impl Handler for ContactsHandler {
    async fn handle(&self, delivery: &dyn Delivery) -> Result<(), HandleError> {
        let reject = |e: quorum_bus::BusError| HandleError::Reject(e.to_string());
        let envelope = Envelope::from_bytes(&delivery.message().body).map_err(reject)?;
        let mut tx = self.state.db.begin().await.map_err(retry)?;
        if !inbox_record(&mut tx, self.consumer, envelope.id)
            .await
            .map_err(retry)?
        {
            return Ok(());
        }
        match envelope.kind.as_str() {
            events::USER_CREATED | events::USER_UPDATED => {
                let u: UserChanged = envelope.data_as().map_err(reject)?;
                let contact = Contact {
                    email: u.email,
                    name: u.name,
                    locale: u.locale,
                };
                contacts::upsert(
                    &mut tx,
                    u.user_id,
                    &contact,
                    u.occurred_at.timestamp_millis(),
                )
                .await
                .map_err(retry)?;
            }
            events::USER_DELETED => {
                let u: UserDeleted = envelope.data_as().map_err(reject)?;
                contacts::delete(&mut tx, u.user_id, u.occurred_at.timestamp_millis())
                    .await
                    .map_err(retry)?;
            }
            other => tracing::debug!(kind = other, "user event ignored"),
        }
        tx.commit().await.map_err(retry)?;
        Ok(())
    }
}
