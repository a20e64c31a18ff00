//! The connection: one AMQP connection at a time, replaced by a supervisor when it drops,
//! a shared publisher channel in confirm mode, and how `lapin` errors become [`BusError`]s.

use std::sync::Arc;
use std::time::Duration;

use futures::StreamExt as _;
use lapin::options::{ConfirmSelectOptions, ExchangeDeclareOptions};
use lapin::types::{FieldTable, ShortString};
use lapin::{Channel, Connection, ConnectionProperties, ErrorKind, Event, ExchangeKind};
use tokio::sync::{watch, Mutex};
use tokio_util::sync::CancellationToken;

use super::RabbitOptions;
use crate::BusError;

/// AMQP reply codes this adapter reacts to.
pub(super) const NOT_FOUND: u16 = 404;
pub(super) const PRECONDITION_FAILED: u16 = 406;

/// How often the supervisor looks at the connection state besides listening for errors.
const WATCH_EVERY: Duration = Duration::from_millis(250);

/// One live connection and its publisher channel.
pub(super) struct Session {
    pub(super) connection: Connection,
    publisher: Mutex<Option<Channel>>,
}

impl Session {
    /// The confirm-mode channel publishes share; reopened when a channel error closed it.
    pub(super) async fn publisher(&self) -> Result<Channel, BusError> {
        let mut slot = self.publisher.lock().await;
        if let Some(ch) = slot.as_ref() {
            if ch.status().connected() {
                return Ok(ch.clone());
            }
        }
        let ch = self.channel().await?;
        ch.confirm_select(ConfirmSelectOptions::default())
            .await
            .map_err(unavailable)?;
        *slot = Some(ch.clone());
        Ok(ch)
    }

    /// A new channel (for consumers and for operations that may close it on error).
    pub(super) async fn channel(&self) -> Result<Channel, BusError> {
        self.connection.create_channel().await.map_err(unavailable)
    }
}

pub(super) struct Link {
    current: watch::Receiver<Option<Arc<Session>>>,
}

impl Link {
    /// Makes the first connection (bounded by `connect_timeout`) and starts the supervisor.
    pub(super) async fn start(
        url: &str,
        options: &RabbitOptions,
        closed: CancellationToken,
    ) -> Result<Self, BusError> {
        let first = tokio::time::timeout(options.connect_timeout, open(url, options))
            .await
            .map_err(|_| {
                BusError::Unavailable(format!(
                    "no connection to RabbitMQ within {:?}",
                    options.connect_timeout
                ))
            })??;
        let (tx, rx) = watch::channel(Some(first.clone()));
        metrics::gauge!("bus_rabbitmq_connected").set(1.0);
        tokio::spawn(supervise(
            url.to_string(),
            options.clone(),
            tx,
            closed,
            first,
        ));
        Ok(Self { current: rx })
    }

    /// The live session, or `Unavailable` at once while reconnecting.
    pub(super) fn session(&self) -> Result<Arc<Session>, BusError> {
        self.current.borrow().clone().ok_or_else(|| {
            BusError::Unavailable("connection to RabbitMQ lost; reconnecting".into())
        })
    }

    /// Waits for a live session; `None` once the broker is closed.
    pub(super) async fn wait_session(&self, closed: &CancellationToken) -> Option<Arc<Session>> {
        let mut rx = self.current.clone();
        loop {
            if let Some(s) = rx.borrow_and_update().clone() {
                return Some(s);
            }
            tokio::select! {
                () = closed.cancelled() => return None,
                changed = rx.changed() => changed.ok()?,
            }
        }
    }

    /// A round trip: passively declares `amq.topic`, which every broker has.
    pub(super) async fn ping(&self) -> Result<(), BusError> {
        let session = self.session()?;
        let ch = session.publisher().await?;
        let options = ExchangeDeclareOptions {
            passive: true,
            ..ExchangeDeclareOptions::default()
        };
        ch.exchange_declare(
            "amq.topic".into(),
            ExchangeKind::Topic,
            options,
            FieldTable::default(),
        )
        .await
        .map_err(unavailable)
    }

    pub(super) async fn close(&self) {
        let session = self.current.borrow().clone();
        if let Some(s) = session {
            let _ = s.connection.close(200, "closing".into()).await;
        }
    }
}

async fn open(url: &str, options: &RabbitOptions) -> Result<Arc<Session>, BusError> {
    let props = ConnectionProperties::default()
        .with_connection_name(options.connection_name.clone().into());
    let connection = Connection::connect(url, props)
        .await
        .map_err(|e| BusError::Unavailable(format!("cannot connect to RabbitMQ: {e}")))?;
    Ok(Arc::new(Session {
        connection,
        publisher: Mutex::new(None),
    }))
}

/// Watches the session; when it drops, publishes `None` (publishes fail fast), reconnects
/// with exponential backoff and publishes the new session (consumers resubscribe).
async fn supervise(
    url: String,
    options: RabbitOptions,
    tx: watch::Sender<Option<Arc<Session>>>,
    closed: CancellationToken,
    mut session: Arc<Session>,
) {
    loop {
        let reason = wait_lost(&session, &closed).await;
        if closed.is_cancelled() {
            tx.send_replace(None);
            let _ = session.connection.close(200, "closing".into()).await;
            return;
        }
        tracing::warn!(reason, "RabbitMQ connection lost; reconnecting");
        tx.send_replace(None);
        metrics::gauge!("bus_rabbitmq_connected").set(0.0);
        drop(session);
        let mut pause = options.reconnect_min;
        session = loop {
            tokio::select! {
                () = closed.cancelled() => return,
                () = tokio::time::sleep(pause) => {}
            }
            match open(&url, &options).await {
                Ok(s) => break s,
                Err(e) => {
                    tracing::warn!(error = %e, retry_in_ms = pause.as_millis() as u64,
                        "RabbitMQ reconnect failed");
                    pause = (pause * 2).min(options.reconnect_max);
                }
            }
        };
        tracing::info!("RabbitMQ connection re-established");
        metrics::counter!("bus_rabbitmq_reconnects_total").increment(1);
        metrics::gauge!("bus_rabbitmq_connected").set(1.0);
        tx.send_replace(Some(session.clone()));
    }
}

async fn wait_lost(session: &Session, closed: &CancellationToken) -> String {
    let mut events = Box::pin(session.connection.events_listener());
    loop {
        if !session.connection.status().connected() {
            return "connection closed".into();
        }
        tokio::select! {
            () = closed.cancelled() => return "closed".into(),
            event = events.next() => match event {
                // A channel error (404, 406) closes only its channel.
                Some(Event::Error(e)) if !e.is_amqp_soft_error() => return e.to_string(),
                Some(_) => {}
                None => return "event stream ended".into(),
            },
            () = tokio::time::sleep(WATCH_EVERY) => {}
        }
    }
}

/// The AMQP reply code of a channel/connection error, if `e` is one.
pub(super) fn reply_code(e: &lapin::Error) -> Option<u16> {
    match e.kind() {
        ErrorKind::ProtocolError(amqp) => Some(amqp.get_id()),
        _ => None,
    }
}

pub(super) fn unavailable(e: lapin::Error) -> BusError {
    BusError::Unavailable(e.to_string())
}

/// An AMQP short string (names, routing keys, ids: at most 255 bytes).
pub(super) fn short(s: &str) -> Result<ShortString, BusError> {
    ShortString::try_new(s).map_err(|e| BusError::Malformed(format!("`{s}`: {e}")))
}
