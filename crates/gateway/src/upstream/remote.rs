//! [`HttpUpstream`]: one service's instances over HTTP/1.1 (distributed mode).
//!
//! Each try goes to an instance the [`Pool`] picks; the request keeps its path, query and
//! headers (`Host` becomes the instance's), the response streams back. A try that failed is
//! retried on another instance when the request allows it (see [`RetrySettings`]); every
//! outcome feeds the instance's outlier ejection.
//!
//! [`RetrySettings`]: crate::RetrySettings

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use async_trait::async_trait;
use axum::body::{Body, Bytes, HttpBody};
use http::header::{self, HeaderMap, HeaderName};
use http::{HeaderValue, Method, Request, Response, StatusCode, Uri, Version};
use http_body_util::BodyExt;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::client::legacy::Client;
use hyper_util::rt::{TokioExecutor, TokioTimer};
use rand::Rng;
use tokio::time::Instant;

use super::pool::{InFlight, Instance, Outcome, Pool};
use super::{CallPolicy, Upstream, UpstreamError};
use crate::health::{ComponentHealth, HealthCheck};
use crate::settings::{OutlierSettings, UpstreamUrls};

/// Request bodies up to this size (with a known length) are buffered so a try can be
/// repeated; larger or unsized ones stream and get one try.
const MAX_REPLAY_BYTES: u64 = 64 * 1024;
const CONNECT_TIMEOUT: Duration = Duration::from_secs(1);
const POOL_IDLE_TIMEOUT: Duration = Duration::from_secs(60);
const BACKOFF_STEP: Duration = Duration::from_millis(25);
const HEALTH_PATH: &str = "/actuator/health/readiness";
const HEALTH_TIMEOUT: Duration = Duration::from_secs(2);

/// A base URL in `gateway.upstreams` that is not `http://host:port`, or an empty list.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct InvalidUpstreamUrl(String);

/// One service's instances behind HTTP/1.1, with pooled connections, least-request
/// balancing, retries and outlier ejection. See the module docs.
pub struct HttpUpstream {
    pool: Arc<Pool>,
    client: Client<HttpConnector, Body>,
}

impl HttpUpstream {
    /// `name` labels logs and metrics; `urls` are the instances' base URLs.
    pub fn new(
        name: impl Into<String>,
        urls: &UpstreamUrls,
        outlier: OutlierSettings,
    ) -> Result<Self, InvalidUpstreamUrl> {
        if urls.as_slice().is_empty() {
            return Err(InvalidUpstreamUrl("no instance URL given".into()));
        }
        let instances = urls
            .as_slice()
            .iter()
            .map(|url| Instance::parse(url))
            .collect::<Result<Vec<_>, _>>()
            .map_err(InvalidUpstreamUrl)?;
        let mut connector = HttpConnector::new();
        connector.set_connect_timeout(Some(CONNECT_TIMEOUT));
        connector.set_nodelay(true);
        let client = Client::builder(TokioExecutor::new())
            .pool_idle_timeout(POOL_IDLE_TIMEOUT)
            .pool_timer(TokioTimer::new())
            .build(connector);
        Ok(Self {
            pool: Arc::new(Pool::new(name.into(), instances, outlier)),
            client,
        })
    }

    /// Asks every instance's `GET /actuator/health/readiness` (ejected ones too, 2 s each):
    /// UP when at least one answers 2xx. Details: `{"instances": {url: "UP" | "DOWN" |
    /// "EJECTED (…)"}}`.
    pub async fn health(&self) -> ComponentHealth {
        let probes = self.pool.instances.iter().map(|instance| async move {
            let req = Request::get(format!("{}{HEALTH_PATH}", instance.url))
                .header(header::HOST, instance.authority.as_str())
                .body(Body::empty());
            let up = match req {
                Ok(req) => matches!(
                    tokio::time::timeout(HEALTH_TIMEOUT, self.client.request(req)).await,
                    Ok(Ok(res)) if res.status().is_success()
                ),
                Err(_) => false,
            };
            up
        });
        let results = futures::future::join_all(probes).await;
        let now = Instant::now();
        let instances: BTreeMap<String, String> = results
            .iter()
            .enumerate()
            .map(|(idx, up)| {
                let probe = if *up { "UP" } else { "DOWN" };
                let state = match self.pool.ejected_for(idx, now) {
                    Some(left) => format!("EJECTED ({probe}, {} s left)", left.as_secs()),
                    None => probe.to_string(),
                };
                (self.pool.instances[idx].url.clone(), state)
            })
            .collect();
        let details = serde_json::json!({ "instances": instances });
        if results.iter().any(|up| *up) {
            ComponentHealth::up(details)
        } else {
            ComponentHealth::down(details)
        }
    }

    /// One try on instance `idx`.
    async fn try_once(
        &self,
        idx: usize,
        head: &Head,
        body: Body,
        timeout: Option<Duration>,
    ) -> Result<Response<hyper::body::Incoming>, TryError> {
        let instance = &self.pool.instances[idx];
        let uri: Uri = format!("{}{}", instance.url, head.path_and_query)
            .parse()
            .map_err(|e: http::uri::InvalidUri| TryError::Other(Box::new(e)))?;
        let mut req = Request::new(body);
        *req.method_mut() = head.method.clone();
        *req.uri_mut() = uri;
        *req.version_mut() = Version::HTTP_11;
        *req.headers_mut() = head.headers.clone();
        if let Ok(host) = HeaderValue::from_str(instance.authority.as_str()) {
            req.headers_mut().insert(header::HOST, host);
        }
        let exchange = self.client.request(req);
        let result = match timeout {
            Some(t) => tokio::time::timeout(t, exchange)
                .await
                .map_err(|_| TryError::Timeout)?,
            None => exchange.await,
        };
        result.map_err(|e| {
            if e.is_connect() {
                TryError::Connect(error_chain(&e))
            } else {
                TryError::Other(Box::new(e))
            }
        })
    }
}

#[async_trait]
impl HealthCheck for HttpUpstream {
    async fn check(&self) -> ComponentHealth {
        self.health().await
    }
}

/// The parts of the request every try repeats.
struct Head {
    method: Method,
    path_and_query: String,
    headers: HeaderMap,
}

enum Payload {
    /// Small and buffered: every try sends a copy.
    Replayable(Bytes),
    /// Streamed: taken by the one try.
    Streamed(Option<Body>),
}

impl Payload {
    async fn new(body: Body) -> Result<Self, UpstreamError> {
        match body.size_hint().exact() {
            Some(len) if len <= MAX_REPLAY_BYTES => {
                let bytes = body
                    .collect()
                    .await
                    .map_err(|e| UpstreamError::Transport(e.into()))?
                    .to_bytes();
                Ok(Self::Replayable(bytes))
            }
            _ => Ok(Self::Streamed(Some(body))),
        }
    }

    fn take(&mut self) -> Body {
        match self {
            Self::Replayable(bytes) => Body::from(bytes.clone()),
            Self::Streamed(body) => body.take().unwrap_or_else(Body::empty),
        }
    }
}

enum TryError {
    /// No connection was made: the request never left.
    Connect(String),
    Timeout,
    Other(Box<dyn std::error::Error + Send + Sync>),
}

#[async_trait]
impl Upstream for HttpUpstream {
    #[tracing::instrument(skip_all, fields(upstream = %self.pool.name))]
    async fn call(&self, req: Request<Body>) -> Result<Response<Body>, UpstreamError> {
        let policy = req
            .extensions()
            .get::<CallPolicy>()
            .copied()
            .unwrap_or_default();
        let (mut parts, body) = req.into_parts();
        remove_hop_by_hop(&mut parts.headers);
        let idempotent = is_idempotent(&parts.method);
        let head = Head {
            path_and_query: parts
                .uri
                .path_and_query()
                .map_or_else(|| "/".to_string(), |p| p.as_str().to_string()),
            method: parts.method,
            headers: parts.headers,
        };
        let mut payload = Payload::new(body).await?;
        // A streamed body cannot be sent twice, and a per-try timeout would cut off a long
        // upload: it gets one try, bounded by the caller's total timeout.
        let replayable = matches!(payload, Payload::Replayable(_));
        let attempts = if replayable {
            policy.attempts.max(1)
        } else {
            1
        };

        let mut tried = Vec::new();
        let mut last = None;
        for attempt in 1..=attempts {
            if attempt > 1 {
                let pause = backoff(attempt - 1);
                if policy.deadline.is_some_and(|d| Instant::now() + pause >= d) {
                    break;
                }
                tokio::time::sleep(pause).await;
                metrics::counter!("gateway_upstream_retries_total", "upstream" => self.pool.name.clone())
                    .increment(1);
            }
            let Some(idx) = self.pool.pick(&tried, Instant::now()) else {
                break;
            };
            tried.push(idx);
            let in_flight = self.pool.begin(idx);
            // A request that will not be retried once sent gets the whole remaining budget:
            // cutting it at the per-try timeout would only turn a slow success into a 504.
            let timeout = (replayable && idempotent).then(|| match policy.deadline {
                Some(d) => policy
                    .per_try_timeout
                    .min(d.saturating_duration_since(Instant::now())),
                None => policy.per_try_timeout,
            });
            let url = &self.pool.instances[idx].url;
            let (outcome, retryable, result) =
                match self.try_once(idx, &head, payload.take(), timeout).await {
                    Ok(res) => {
                        let status = res.status();
                        let own_answer = is_problem(&res);
                        let res = Ok(stream_back(res, in_flight));
                        if own_answer && is_gateway_status(status) {
                            // The service itself says a dependency is unavailable or it is
                            // busy (`503 ai_busy` with `Retry-After`): every instance would
                            // say the same, and this one is alive.
                            (Outcome::Success, false, res)
                        } else if is_gateway_status(status) {
                            (Outcome::GatewayError, idempotent, res)
                        } else if status.is_server_error() {
                            (Outcome::ServerError, false, res)
                        } else {
                            (Outcome::Success, false, res)
                        }
                    }
                    Err(TryError::Connect(e)) => (
                        Outcome::GatewayError,
                        true,
                        Err(UpstreamError::Unavailable(format!("{url}: {e}"))),
                    ),
                    Err(TryError::Timeout) => (
                        Outcome::GatewayError,
                        idempotent,
                        Err(UpstreamError::Timeout),
                    ),
                    Err(TryError::Other(e)) => (
                        Outcome::GatewayError,
                        idempotent,
                        Err(UpstreamError::Transport(e)),
                    ),
                };
            self.pool.record(idx, outcome, Instant::now());
            if !retryable {
                return result;
            }
            tracing::debug!(attempt, instance = %url, ?outcome, "upstream try failed");
            last = Some(result);
        }
        last.unwrap_or_else(|| {
            Err(UpstreamError::Unavailable(format!(
                "every instance of `{}` is ejected",
                self.pool.name
            )))
        })
    }
}

/// GET, HEAD, OPTIONS, PUT and DELETE may be repeated once they reached a service.
fn is_idempotent(method: &Method) -> bool {
    matches!(
        *method,
        Method::GET | Method::HEAD | Method::OPTIONS | Method::PUT | Method::DELETE
    )
}

/// `25 ms × retry`, jittered by ±50 %.
fn backoff(retry: u32) -> Duration {
    BACKOFF_STEP.mul_f64(f64::from(retry) * rand::thread_rng().gen_range(0.5..1.5))
}

/// Headers that describe one connection, not the message (RFC 9110 §7.6.1), plus those the
/// `Connection` header names.
fn remove_hop_by_hop(headers: &mut HeaderMap) {
    let named: Vec<HeaderName> = headers
        .get_all(header::CONNECTION)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|name| HeaderName::from_bytes(name.trim().as_bytes()).ok())
        .collect();
    for name in named {
        headers.remove(name);
    }
    for name in [
        header::CONNECTION,
        header::PROXY_AUTHENTICATE,
        header::PROXY_AUTHORIZATION,
        header::TE,
        header::TRAILER,
        header::TRANSFER_ENCODING,
        header::UPGRADE,
    ] {
        headers.remove(name);
    }
    headers.remove("keep-alive");
    headers.remove("proxy-connection");
}

/// The response with the in-flight count held until its body is dropped.
fn stream_back(res: Response<hyper::body::Incoming>, in_flight: InFlight) -> Response<Body> {
    let (mut parts, incoming) = res.into_parts();
    remove_hop_by_hop(&mut parts.headers);
    // The closure owns the guard, so the count ends when the body is done or dropped.
    let body = incoming.map_err(move |e| {
        let _held = &in_flight;
        e
    });
    Response::from_parts(parts, Body::new(body))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// Whether the response is the service's own `application/problem+json` answer (rather than
/// a proxy's or a dying server's bare status).
fn is_problem<B>(res: &Response<B>) -> bool {
    res.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/problem+json"))
}

fn is_gateway_status(status: StatusCode) -> bool {
    matches!(
        status,
        StatusCode::BAD_GATEWAY | StatusCode::SERVICE_UNAVAILABLE | StatusCode::GATEWAY_TIMEOUT
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_request_counts_in_flight_until_its_response_body_is_dropped() {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let app = axum::Router::new().fallback(|| async { "hello" });
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        let upstream = HttpUpstream::new(
            "meeting",
            &UpstreamUrls::new([url]),
            OutlierSettings::default(),
        )
        .unwrap();

        let req = Request::get("/api/meetings").body(Body::empty()).unwrap();
        let res = upstream.call(req).await.unwrap();
        assert_eq!(upstream.pool.in_flight(0), 1, "the body is still streaming");
        let body = res.into_body().collect().await.unwrap().to_bytes();
        assert_eq!(body, "hello");
        assert_eq!(upstream.pool.in_flight(0), 0);
    }

    #[test]
    fn hop_by_hop_headers_are_not_forwarded() {
        let mut headers = HeaderMap::new();
        headers.insert(header::CONNECTION, HeaderValue::from_static("x-private"));
        headers.insert("x-private", HeaderValue::from_static("1"));
        headers.insert(
            header::TRANSFER_ENCODING,
            HeaderValue::from_static("chunked"),
        );
        headers.insert(header::CONTENT_LENGTH, HeaderValue::from_static("3"));
        remove_hop_by_hop(&mut headers);
        let left: Vec<_> = headers.keys().map(|k| k.as_str()).collect();
        assert_eq!(left, ["content-length"]);
    }
}
