//! E-mail: the work queue `notification.queue` and the SMTP sender.
//!
//! Jobs reach the queue through the transactional outbox: the consumer writes the delivery
//! row and a job envelope (`notification.email`, `{deliveryId}`) in one transaction, and the
//! relay publishes it to the service's own exchange `notification.jobs`, whose only binding
//! is `notification.queue` — direct-to-queue in effect. A crash between commit and enqueue
//! therefore loses nothing (the relay publishes unsent rows when it starts again), and a full
//! queue (2000) holds jobs back in the outbox instead of dropping them (backpressure).
//!
//! Workers ([`worker`]) send with lettre's `AsyncSmtpTransport<Tokio1Executor>`; see there for
//! retries, dead-lettering and the exactly-once guard.

pub(crate) mod worker;

use std::time::Duration;

use lettre::message::{Mailbox, MultiPart};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use quorum_bus::{Envelope, Outbox, QueueSpec};
use quorum_store::Tx;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::error::{ApiError, BuildError};
use crate::repository::deliveries::Outgoing;
use crate::settings::{Security, SmtpSettings};

/// The e-mail work queue.
pub(crate) const QUEUE: &str = "notification.queue";
/// The exchange the outbox relays jobs to; bound only to [`QUEUE`].
pub(crate) const JOBS_EXCHANGE: &str = "notification.jobs";
/// The job's type (routing key).
pub(crate) const JOB_KIND: &str = "notification.email";
const SOURCE: &str = "quorum/notification";

/// `notification.queue`: at most 2000 jobs (publishes beyond are refused), 30 min to live,
/// 5 deliveries, then `notification.queue.dlq`.
pub(crate) fn queue_spec() -> QueueSpec {
    QueueSpec::new(QUEUE)
        .max_length(2000)
        .ttl(Duration::from_secs(30 * 60))
        .max_deliveries(5)
}

/// A job: send one delivery.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct EmailJob {
    pub(crate) delivery_id: Uuid,
}

/// Puts the job for `delivery` into the outbox, inside the caller's transaction.
pub(crate) async fn enqueue(outbox: &Outbox, tx: &mut Tx, delivery: Uuid) -> Result<(), ApiError> {
    let job = EmailJob {
        delivery_id: delivery,
    };
    let envelope = Envelope::new(JOB_KIND, SOURCE, Some(delivery.to_string()), 1, &job)?;
    outbox.enqueue(tx, JOBS_EXCHANGE, &envelope).await?;
    Ok(())
}

/// `<delivery-id@quorum>`.
pub(crate) fn message_id(delivery: Uuid) -> String {
    format!("<{delivery}@quorum.delivery>")
}

/// Why a send failed.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub(crate) enum SendError {
    /// Worth trying again: 4xx, connection refused, timeout, TLS hiccup.
    #[error("{0}")]
    Transient(String),
    /// Never going to work: 5xx, or an address that is not one.
    #[error("{0}")]
    Permanent(String),
}

/// Sends e-mails through one SMTP server.
pub(crate) struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// The transport for `smtp` (nothing connects yet); `None` when no host is configured.
    pub(crate) fn from_settings(smtp: &SmtpSettings) -> Result<Option<Self>, BuildError> {
        let Some(host) = smtp.host.as_deref().filter(|h| !h.trim().is_empty()) else {
            return Ok(None);
        };
        let from: Mailbox = smtp.from.parse().map_err(|e| BuildError::Smtp {
            key: "from",
            reason: format!("`{}` is not a mailbox: {e}", smtp.from),
        })?;
        let tls_error = |e: lettre::transport::smtp::Error| BuildError::Smtp {
            key: "host",
            reason: e.to_string(),
        };
        let builder = match smtp.security {
            Security::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
            Security::Starttls => {
                AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host).map_err(tls_error)?
            }
            Security::Tls => {
                AsyncSmtpTransport::<Tokio1Executor>::relay(host).map_err(tls_error)?
            }
        };
        let mut builder = builder
            .port(smtp.port)
            .timeout(Some(Duration::from_millis(smtp.timeout_ms.max(1))));
        if let Some(user) = &smtp.username {
            let password = smtp
                .password
                .as_ref()
                .map(|p| p.expose())
                .unwrap_or_default();
            builder = builder.credentials(Credentials::new(user.clone(), password.to_string()));
        }
        Ok(Some(Self {
            transport: builder.build(),
            from,
        }))
    }

    pub(crate) async fn send(&self, out: &Outgoing) -> Result<(), SendError> {
        let to: Mailbox = out.address.parse().map_err(|e| {
            SendError::Permanent(format!("`{}` is not a mailbox: {e}", out.address))
        })?;
        // The Message-ID is the delivery's: if a crash lands between the server accepting the
        // message and `SENT` being recorded, the resend is the same message, which mail
        // stores recognise as a duplicate.
        let builder = Message::builder()
            .message_id(Some(message_id(out.id)))
            .from(self.from.clone())
            .to(to)
            .subject(out.subject.clone());
        let built = match &out.html {
            Some(html) => builder.multipart(MultiPart::alternative_plain_html(
                out.text.clone(),
                html.clone(),
            )),
            None => builder.body(out.text.clone()),
        };
        let message = built.map_err(|e| SendError::Permanent(e.to_string()))?;
        match self.transport.send(message).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_permanent() => Err(SendError::Permanent(e.to_string())),
            Err(e) => Err(SendError::Transient(e.to_string())),
        }
    }
}
