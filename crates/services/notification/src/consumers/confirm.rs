//! `auth.email_change_requested` (on `notification.auth.queue`): mails the code that
//! confirms a change of address to the new address. One e-mail delivery per event (keyed
//! like every delivery), through the same outbox, queue and workers as notifications; no
//! in-app notification, no preferences (the address is not the account's yet, and the user
//! asked for the message). Without SMTP nothing is written: the identity service then
//! applies changes at once and sends no such event.

use async_trait::async_trait;
use quorum_bus::{Apply, Envelope, HandleError};
use quorum_contracts::events::EmailChangeRequested;
use quorum_store::{now_millis, Tx};
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::Locale;
use crate::mail;
use crate::repository::deliveries::{self, NewDelivery};
use crate::templates;

/// The kind recorded on the delivery.
const KIND: &str = "email_change";

pub(crate) struct ConfirmAddress {
    pub(crate) state: AppState,
}

#[async_trait]
impl Apply for ConfirmAddress {
    /// Whether an e-mail was queued.
    type Outcome = bool;

    fn name(&self) -> &'static str {
        super::AUTH_CONSUMER.name
    }

    async fn apply(&self, tx: &mut Tx, envelope: &Envelope) -> Result<bool, HandleError> {
        let request: EmailChangeRequested = envelope
            .data_as()
            .map_err(|e| HandleError::Reject(e.to_string()))?;
        if !self.state.email_enabled {
            tracing::warn!(user = %request.user_id, "an e-mail change code cannot be sent: no smtp.host");
            return Ok(false);
        }
        let locale = Locale::choose(request.locale.as_deref(), &request.name);
        let mail =
            templates::email_change(locale, &request.name, &request.code, request.expires_at);
        let delivery = NewDelivery {
            id: Uuid::now_v7(),
            event_id: envelope.id,
            user_id: request.user_id,
            notification_id: None,
            meeting_id: None,
            kind: KIND.to_string(),
            address: request.email,
            subject: mail.subject,
            text: mail.text,
            html: mail.html,
        };
        let queued = deliveries::insert(tx, &delivery, now_millis()).await?;
        if queued {
            mail::enqueue(&self.state.outbox, tx, delivery.id).await?;
        }
        Ok(queued)
    }

    async fn committed(&self, queued: bool) {
        if queued {
            self.state.outbox.committed();
        }
    }
}
