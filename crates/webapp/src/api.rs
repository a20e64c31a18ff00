//! The public API, called in-process through the gateway's router: the same checks, limits
//! and answers as for any other client, without a network hop.

use std::net::SocketAddr;

use axum::body::Body;
use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, Request, StatusCode};
use axum::Router;
use serde::de::DeserializeOwned;
use serde_json::Value;
use tower::ServiceExt as _;

/// The largest API answer a page reads (a page of 100 meetings is far below it).
const MAX_ANSWER_BYTES: usize = 8 * 1024 * 1024;

#[derive(Clone)]
pub(crate) struct Api {
    gateway: Router,
}

/// A request body for [`Api::open`]: JSON, or an upload passed through as it arrives.
pub(crate) struct Outgoing {
    body: Body,
    content_type: Option<HeaderValue>,
    content_length: Option<HeaderValue>,
    /// Headers passed on from the browser (a player's `Range`).
    passed: Vec<(header::HeaderName, HeaderValue)>,
}

impl Outgoing {
    pub(crate) fn new(body: Body) -> Self {
        Self {
            body,
            content_type: None,
            content_length: None,
            passed: Vec::new(),
        }
    }

    /// Passes `names` on from `headers` when present.
    pub(crate) fn passing(
        mut self,
        headers: &axum::http::HeaderMap,
        names: &[header::HeaderName],
    ) -> Self {
        for name in names {
            if let Some(v) = headers.get(name) {
                self.passed.push((name.clone(), v.clone()));
            }
        }
        self
    }

    pub(crate) fn typed(mut self, content_type: HeaderValue) -> Self {
        self.content_type = Some(content_type);
        self
    }

    pub(crate) fn sized(mut self, content_length: Option<HeaderValue>) -> Self {
        self.content_length = content_length;
        self
    }
}

/// Who is asking, passed on so the gateway's per-client limits and logs see the browser,
/// not the web app.
#[derive(Debug, Clone, Default)]
pub(crate) struct Peer {
    addr: Option<ConnectInfo<SocketAddr>>,
    forwarded_for: Option<HeaderValue>,
    request_id: Option<HeaderValue>,
    /// The browser's languages: what the API writes in its language (a template's agenda)
    /// follows them.
    accept_language: Option<HeaderValue>,
}

impl<S: Send + Sync> FromRequestParts<S> for Peer {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<Self, Self::Rejection> {
        Ok(Self {
            addr: parts.extensions.get::<ConnectInfo<SocketAddr>>().cloned(),
            forwarded_for: parts.headers.get("x-forwarded-for").cloned(),
            request_id: parts.headers.get("x-request-id").cloned(),
            accept_language: parts.headers.get(header::ACCEPT_LANGUAGE).cloned(),
        })
    }
}

/// An API answer: its status and JSON body (`Null` when it had none).
#[derive(Debug)]
pub(crate) struct Reply {
    pub(crate) status: StatusCode,
    pub(crate) body: Value,
}

/// A page of a list the API answers (`items`, `total`).
#[derive(Debug, serde::Deserialize)]
pub(crate) struct Page<T> {
    pub(crate) items: Vec<T>,
    pub(crate) total: u64,
}

impl Reply {
    /// This answer as a failure (an unexpected status).
    pub(crate) fn failure(&self) -> ApiFailure {
        ApiFailure::Status(self.status, self.code().map(str::to_owned))
    }

    /// The problem's stable code (`email_taken`, `bad_credentials`, …) of an error answer.
    pub(crate) fn code(&self) -> Option<&str> {
        self.body.get("code").and_then(Value::as_str)
    }

    /// The body as `T`, for a successful answer.
    pub(crate) fn json<T: DeserializeOwned>(self) -> Result<T, ApiFailure> {
        if !self.status.is_success() {
            return Err(self.failure());
        }
        serde_json::from_value(self.body).map_err(|e| ApiFailure::Unreadable(e.to_string()))
    }
}

/// An API call that did not give the page what it needs.
#[derive(Debug, thiserror::Error)]
pub(crate) enum ApiFailure {
    #[error("the API answered {0} ({1:?})")]
    Status(StatusCode, Option<String>),
    #[error("the API's answer could not be read: {0}")]
    Unreadable(String),
}

impl ApiFailure {
    /// The access token was refused: the session is over.
    pub(crate) fn is_unauthorized(&self) -> bool {
        matches!(self, Self::Status(StatusCode::UNAUTHORIZED, _))
    }
}

impl Api {
    pub(crate) fn new(gateway: Router) -> Self {
        Self { gateway }
    }

    /// The gateway's router, for the paths the web app does not serve.
    pub(crate) fn router(&self) -> Router {
        self.gateway.clone()
    }

    /// `method path` with a JSON `body`, as the holder of `token`, on behalf of `peer`.
    pub(crate) async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
        peer: &Peer,
    ) -> Result<Reply, ApiFailure> {
        let outgoing = match body {
            Some(json) => Outgoing::new(Body::from(json.to_string()))
                .typed(HeaderValue::from_static("application/json")),
            None => Outgoing::new(Body::empty()),
        };
        let res = self.open(method, path, token, outgoing, peer).await?;
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), MAX_ANSWER_BYTES)
            .await
            .map_err(|e| ApiFailure::Unreadable(e.to_string()))?;
        let body = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or(Value::Null)
        };
        Ok(Reply { status, body })
    }

    /// `method path` with `outgoing` as its body: the gateway's answer as it comes, its body
    /// not yet read (an event stream is passed on as it flows).
    pub(crate) async fn open(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        outgoing: Outgoing,
        peer: &Peer,
    ) -> Result<axum::response::Response, ApiFailure> {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(token) = token {
            req = req.header(header::AUTHORIZATION, format!("Bearer {token}"));
        }
        if let Some(v) = &peer.forwarded_for {
            req = req.header("x-forwarded-for", v);
        }
        if let Some(v) = &peer.request_id {
            req = req.header("x-request-id", v);
        }
        if let Some(v) = &peer.accept_language {
            req = req.header(header::ACCEPT_LANGUAGE, v);
        }
        if let Some(v) = outgoing.content_type {
            req = req.header(header::CONTENT_TYPE, v);
        }
        if let Some(v) = outgoing.content_length {
            req = req.header(header::CONTENT_LENGTH, v);
        }
        for (name, value) in outgoing.passed {
            req = req.header(name, value);
        }
        let mut req = req
            .body(outgoing.body)
            .map_err(|e| ApiFailure::Unreadable(e.to_string()))?;
        if let Some(addr) = peer.addr {
            req.extensions_mut().insert(addr);
        }
        match self.gateway.clone().oneshot(req).await {
            Ok(res) => Ok(res),
            Err(never) => match never {},
        }
    }

    pub(crate) async fn get(
        &self,
        path: &str,
        token: &str,
        peer: &Peer,
    ) -> Result<Reply, ApiFailure> {
        self.call(Method::GET, path, Some(token), None, peer).await
    }

    /// `GET path` read straight into `T` (no `Value` in between: a page's list is parsed
    /// once); an error answer is a failure with its code.
    pub(crate) async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        token: &str,
        peer: &Peer,
    ) -> Result<T, ApiFailure> {
        let res = self
            .open(
                Method::GET,
                path,
                Some(token),
                Outgoing::new(Body::empty()),
                peer,
            )
            .await?;
        let status = res.status();
        let bytes = axum::body::to_bytes(res.into_body(), MAX_ANSWER_BYTES)
            .await
            .map_err(|e| ApiFailure::Unreadable(e.to_string()))?;
        if status.is_success() {
            return serde_json::from_slice(&bytes)
                .map_err(|e| ApiFailure::Unreadable(e.to_string()));
        }
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Err(Reply { status, body }.failure())
    }
}
