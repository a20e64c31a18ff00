//! `Idempotency-Key` for mutating requests: a retried request gets the first one's response,
//! and is never carried out twice — across restarts and replicas.
//!
//! ```ignore
//! let app = Router::new()
//!     .route("/api/meetings", post(create_meeting))
//!     .layer(quorum_web::idempotency::layer(db.clone()));
//! ```
//!
//! For `POST`, `PUT`, `PATCH` and `DELETE` requests carrying the header, the key is scoped by
//! caller ([`crate::USER_HEADER`], else `anonymous`), method, path and key, and kept in the
//! service's own database ([`quorum_store::idempotency`]): the first request claims the key
//! and runs; the write transactions it begins mark the key as carried out in the same
//! transaction; its response (status, `Content-Type`, `Location`, a body of at most 1 MiB) is
//! then kept for 24 h. A repeat with the same body replays it with `Idempotent-Replayed:
//! true`; with a different body it is a `422 idempotency_key_reused`; while the first still
//! runs it is a `409 idempotency_request_in_progress`. When the first request wrote and then
//! lost its response (the process was killed between the two, the client went away, or the
//! response was too large or streaming), a repeat is a `409 idempotency_response_lost`: it was
//! carried out, and is not again. A request that wrote nothing and failed (`5xx`) or was
//! cancelled releases the key so the client may retry. A response marked `Cache-Control:
//! no-store` (tokens) is never kept: its key is released. A key over 255 characters is a
//! `400 invalid_idempotency_key`.
//!
//! The request body is buffered to hash it, up to [`Idempotency::with_max_request_body`]; a
//! larger body (declared by `Content-Length` or found while streaming) passes through whole
//! and unprotected, so a large upload is never refused for carrying a key. When the database
//! fails, requests run unprotected (logged at `warn`).

mod record;

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::{from_fn_with_state, FromFnLayer, Next};
use axum::response::{IntoResponse, Response};
use bytes::Bytes;
use futures::future::BoxFuture;
use futures::StreamExt;
use quorum_store::idempotency::{self as keys, Claim, State as KeyState, Taken};
use quorum_store::Db;
use sha2::{Digest, Sha256};

use crate::{Code, Problem, USER_HEADER};
use record::Kept;

/// The request header carrying the client's key.
pub const IDEMPOTENCY_KEY_HEADER: &str = "idempotency-key";
/// Set to `true` on a replayed response.
pub const REPLAYED_HEADER: &str = "idempotent-replayed";
pub const MAX_KEY_LEN: usize = 255;
/// Larger response bodies are not kept (the key is released instead).
pub const MAX_STORED_BODY: usize = 1024 * 1024;

/// The middleware's state: where records live and for how long.
#[derive(Clone)]
pub struct Idempotency {
    db: Db,
    ttl: Duration,
    claim_ttl: Duration,
    max_request_body: usize,
}

type MiddlewareFn = fn(State<Idempotency>, Request, Next) -> BoxFuture<'static, Response>;

/// The layer [`layer`] and [`Idempotency::into_layer`] build.
pub type IdempotencyLayer = FromFnLayer<MiddlewareFn, Idempotency, (State<Idempotency>, Request)>;

/// The middleware with default settings over the service's database `db` (migrated with
/// [`quorum_store::idempotency::MIGRATIONS`]).
pub fn layer(db: Db) -> IdempotencyLayer {
    Idempotency::new(db).into_layer()
}

impl Idempotency {
    /// Responses kept 24 h, claims 5 min, request bodies hashed up to 16 MiB.
    pub fn new(db: Db) -> Self {
        Self {
            db,
            ttl: Duration::from_secs(24 * 60 * 60),
            claim_ttl: Duration::from_secs(5 * 60),
            max_request_body: 16 * 1024 * 1024,
        }
    }

    /// How long a response is replayed.
    pub fn with_ttl(mut self, ttl: Duration) -> Self {
        self.ttl = ttl;
        self
    }

    /// How long a claim lasts if its request never finishes (e.g. the process died).
    pub fn with_claim_ttl(mut self, ttl: Duration) -> Self {
        self.claim_ttl = ttl;
        self
    }

    pub fn with_max_request_body(mut self, bytes: usize) -> Self {
        self.max_request_body = bytes;
        self
    }

    pub fn into_layer(self) -> IdempotencyLayer {
        from_fn_with_state(self, |state, req, next| {
            Box::pin(middleware(state, req, next))
        })
    }
}

/// The middleware itself, for `axum::middleware::from_fn_with_state(idempotency, middleware)`.
pub async fn middleware(State(idem): State<Idempotency>, req: Request, next: Next) -> Response {
    let mutating = matches!(
        *req.method(),
        Method::POST | Method::PUT | Method::PATCH | Method::DELETE
    );
    let Some(raw_key) = req
        .headers()
        .get(IDEMPOTENCY_KEY_HEADER)
        .filter(|_| mutating)
    else {
        return next.run(req).await;
    };
    let key = match raw_key.to_str() {
        Ok(key) if !key.is_empty() && key.len() <= MAX_KEY_LEN => key.to_owned(),
        _ => {
            let detail =
                format!("`Idempotency-Key` must be 1-{MAX_KEY_LEN} visible ASCII characters");
            return Problem::new(Code::InvalidIdempotencyKey, detail).into_response();
        }
    };
    if content_length(req.headers()).is_some_and(|n| n > idem.max_request_body) {
        tracing::debug!("request body too large to hash; idempotency not applied");
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match buffer(body, idem.max_request_body).await {
        Ok(Buffered::Whole(bytes)) => bytes,
        Ok(Buffered::TooLarge(body)) => {
            tracing::debug!("streamed request body too large to hash; idempotency not applied");
            return next.run(Request::from_parts(parts, body)).await;
        }
        Err(e) => {
            let detail = format!("the request body could not be read: {e}");
            return Problem::new(Code::UnreadableBody, detail).into_response();
        }
    };
    let user = parts
        .headers
        .get(USER_HEADER)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("anonymous");
    let scope = format!(
        "idempotency:{:x}",
        Sha256::digest(format!(
            "{user}\n{}\n{}\n{key}",
            parts.method,
            parts.uri.path()
        ))
    );
    let request_hash = format!("{:x}", Sha256::digest(&bytes));
    let req = Request::from_parts(parts, Body::from(bytes));
    idem.handle(scope, request_hash, req, next).await
}

enum Buffered {
    Whole(Bytes),
    /// Over the limit: what was read, followed by the rest of the stream.
    TooLarge(Body),
}

/// Reads `body` whole when it is at most `limit` bytes; otherwise gives back a body that
/// replays what was read and then streams the rest, so nothing is lost.
async fn buffer(body: Body, limit: usize) -> Result<Buffered, axum::Error> {
    let mut stream = body.into_data_stream();
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut total = 0usize;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk?;
        total += chunk.len();
        chunks.push(chunk);
        if total > limit {
            let read = futures::stream::iter(chunks.into_iter().map(Ok::<_, axum::Error>));
            return Ok(Buffered::TooLarge(Body::from_stream(read.chain(stream))));
        }
    }
    Ok(Buffered::Whole(match chunks.len() {
        0 => Bytes::new(),
        1 => chunks.pop().unwrap_or_default(),
        _ => chunks.concat().into(),
    }))
}

fn content_length(headers: &HeaderMap) -> Option<usize> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

impl Idempotency {
    async fn handle(
        &self,
        scope: String,
        request_hash: String,
        req: Request,
        next: Next,
    ) -> Response {
        let claim_ms = millis(self.claim_ttl);
        match keys::claim(&self.db, &scope, &request_hash, claim_ms, millis(self.ttl)).await {
            Ok(Claim::Mine) => self.run_first(scope, req, next).await,
            Ok(Claim::Taken(taken)) => repeat(&taken, &request_hash),
            Err(error) => {
                tracing::warn!(%error, "idempotency records unavailable; running the request unprotected");
                next.run(req).await
            }
        }
    }

    /// Runs the claimed request and keeps its response, or releases the claim.
    async fn run_first(&self, scope: String, req: Request, next: Next) -> Response {
        let mut claim = Held {
            db: self.db.clone(),
            scope: Some(scope.clone()),
        };
        let res = keys::within(&self.db, scope, next.run(req)).await;
        let no_store = res
            .headers()
            .get(header::CACHE_CONTROL)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.contains("no-store"));
        if no_store {
            claim.forget().await;
            return res;
        }
        let fits = axum::body::HttpBody::size_hint(res.body())
            .upper()
            .is_some_and(|n| n <= MAX_STORED_BODY as u64);
        // A failure that wrote nothing releases the key; one that wrote is kept like any
        // answer. A response too large to keep releases the key if nothing was written, and
        // otherwise leaves it carried out (a retry is told its response is lost).
        if res.status().is_server_error() && claim.release().await || !fits {
            if !fits {
                claim.release().await;
            }
            claim.let_go();
            return res;
        }
        let (parts, body) = res.into_parts();
        let Ok(bytes) = axum::body::to_bytes(body, MAX_STORED_BODY).await else {
            claim.release().await;
            claim.let_go();
            tracing::error!("response body failed while being kept for idempotency");
            return Problem::internal().into_response();
        };
        match Kept::of(&parts, &bytes).encode() {
            Ok(kept) => match keys::finish(&self.db, claim.scope(), &kept).await {
                Ok(()) => claim.let_go(),
                Err(error) => {
                    tracing::warn!(%error, "could not keep the response for idempotency");
                    claim.release().await;
                    claim.let_go();
                }
            },
            Err(error) => {
                tracing::warn!(%error, "could not encode the response for idempotency");
                claim.release().await;
                claim.let_go();
            }
        }
        Response::from_parts(parts, Body::from(bytes))
    }
}

fn millis(d: Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

/// The answer to a request whose key is already taken.
fn repeat(taken: &Taken, request_hash: &str) -> Response {
    if taken.request_hash != request_hash {
        let detail = "this Idempotency-Key was used with a different request body";
        return Problem::new(Code::IdempotencyKeyReused, detail).into_response();
    }
    match &taken.state {
        KeyState::Running => in_progress(),
        KeyState::Done(kept) => Kept::replay(kept).unwrap_or_else(lost),
        KeyState::Committed => lost(),
    }
}

fn in_progress() -> Response {
    let detail = "a request with this Idempotency-Key is still being processed; retry later";
    Problem::new(Code::IdempotencyRequestInProgress, detail).into_response()
}

fn lost() -> Response {
    let detail = "the request with this Idempotency-Key was carried out, but its response \
                  was lost (the server stopped or the client went away before it was kept); \
                  it is not carried out again — read the result instead";
    Problem::new(Code::IdempotencyResponseLost, detail).into_response()
}

/// A claimed key; dropped while still held (the request was cancelled), it is released in the
/// background if its request wrote nothing.
struct Held {
    db: Db,
    scope: Option<String>,
}

impl Held {
    fn scope(&self) -> &str {
        self.scope.as_deref().unwrap_or_default()
    }

    /// Done with the key: it stays as it is.
    fn let_go(&mut self) {
        self.scope = None;
    }

    /// Releases the key if its request wrote nothing; whether it was released.
    async fn release(&mut self) -> bool {
        let Some(scope) = self.scope.as_deref() else {
            return false;
        };
        match keys::release(&self.db, scope).await {
            Ok(released) => released,
            Err(error) => {
                tracing::warn!(%error, "could not release an idempotency key; its claim expires by itself");
                false
            }
        }
    }

    async fn forget(&mut self) {
        if let Some(scope) = self.scope.take() {
            if let Err(error) = keys::forget(&self.db, &scope).await {
                tracing::warn!(%error, "could not release an idempotency key; its claim expires by itself");
            }
        }
    }
}

impl Drop for Held {
    fn drop(&mut self) {
        let (Some(scope), Ok(runtime)) = (self.scope.take(), tokio::runtime::Handle::try_current())
        else {
            return;
        };
        let db = self.db.clone();
        runtime.spawn(async move {
            let _ = keys::release(&db, &scope).await;
        });
    }
}
