//! A small harness for a service's HTTP and broker integration tests: serve a router on a
//! random local port, call it as a user (the gateway's `x-quorum-user-id` header), publish
//! envelopes as other services would, poll until a condition holds, and read published
//! events from a test queue.

use std::future::Future;
use std::time::Duration;

use quorum_bus::{Broker, Envelope, Message};
use quorum_contracts::events::USER_CREATED;
use reqwest::{Method, StatusCode};
use serde_json::Value;
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// The header the gateway sets to the verified user id.
pub const USER_HEADER: &str = "x-quorum-user-id";

/// A response: status, headers and JSON body (`Null` when empty, a string when not JSON).
#[derive(Debug)]
pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Resp {
    /// The problem's `detail`, or `""`.
    pub fn detail(&self) -> &str {
        self.body["detail"].as_str().unwrap_or_default()
    }
}

/// A router served on `127.0.0.1:0`; dropping it shuts the server (and whatever else watches
/// the token) down.
pub struct Served {
    /// `http://127.0.0.1:PORT`.
    pub base: String,
    pub client: reqwest::Client,
    shutdown: CancellationToken,
}

impl Drop for Served {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

/// Serves `router` on a random local port until `shutdown` is cancelled (or the result is
/// dropped).
pub async fn serve(router: axum::Router, shutdown: CancellationToken) -> Served {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind a local port");
    let addr = listener.local_addr().expect("local address");
    let stop = shutdown.clone();
    tokio::spawn(async move {
        axum::serve(listener, router)
            .with_graceful_shutdown(async move { stop.cancelled().await })
            .await
            .expect("serve");
    });
    Served {
        base: format!("http://{addr}"),
        client: reqwest::Client::new(),
        shutdown,
    }
}

impl Served {
    /// `base` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A request as `user` (no identity header when `None`) with an optional JSON body.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        user: Option<Uuid>,
        body: Option<Value>,
    ) -> Resp {
        let mut req = self.client.request(method, self.url(path));
        if let Some(u) = user {
            req = req.header(USER_HEADER, u.to_string());
        }
        if let Some(b) = body {
            req = req.json(&b);
        }
        let res = req.send().await.expect("send the request");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.expect("read the response body");
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes)
                .unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        Resp {
            status,
            headers,
            body,
        }
    }

    pub async fn get(&self, path: &str, user: Uuid) -> Resp {
        self.call(Method::GET, path, Some(user), None).await
    }
    pub async fn post(&self, path: &str, user: Uuid, body: Value) -> Resp {
        self.call(Method::POST, path, Some(user), Some(body)).await
    }
    pub async fn put(&self, path: &str, user: Uuid, body: Value) -> Resp {
        self.call(Method::PUT, path, Some(user), Some(body)).await
    }
    pub async fn patch(&self, path: &str, user: Uuid, body: Value) -> Resp {
        self.call(Method::PATCH, path, Some(user), Some(body)).await
    }
}

/// A `user.created` envelope, as the identity service publishes it.
pub fn user_created(user: Uuid, name: &str, email: &str, locale: Option<&str>) -> Envelope {
    crate::users::with_locale(USER_CREATED, user, name, email, locale, chrono::Utc::now())
}

/// Publishes `envelope` on `exchange` (routing key = its type), as its service would.
pub async fn publish(broker: &dyn Broker, exchange: &str, envelope: &Envelope) {
    let msg = Message::new(envelope.id.to_string(), envelope.to_bytes());
    broker
        .publish(exchange, &envelope.kind, msg)
        .await
        .expect("publish");
}

/// Waits (checking every 50 ms, for at most `within`) until `check` holds; panics otherwise.
pub async fn eventually<F, Fut>(within: Duration, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: Future<Output = bool>,
{
    let step = Duration::from_millis(50);
    let tries = (within.as_millis() / step.as_millis()).max(1);
    for _ in 0..tries {
        if check().await {
            return;
        }
        tokio::time::sleep(step).await;
    }
    panic!("timed out waiting for {what}");
}

/// The next `n` messages of `queue` (each within 10 s), acknowledged.
pub async fn next_messages(broker: &dyn Broker, queue: &str, n: usize) -> Vec<Message> {
    let mut consumer = broker.consume(queue, 16).await.expect("consume");
    let mut out = Vec::new();
    while out.len() < n {
        let delivery = tokio::time::timeout(Duration::from_secs(10), consumer.next())
            .await
            .expect("a message within 10 s")
            .expect("consumer open")
            .expect("delivery");
        out.push(delivery.message().clone());
        delivery.ack().await.expect("ack");
    }
    out
}

/// The next `n` events of `queue` (each within 10 s), acknowledged.
pub async fn next_events(broker: &dyn Broker, queue: &str, n: usize) -> Vec<Envelope> {
    next_messages(broker, queue, n)
        .await
        .iter()
        .map(|m| Envelope::from_bytes(&m.body).expect("an envelope"))
        .collect()
}
