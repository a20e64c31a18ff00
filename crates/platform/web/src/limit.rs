//! Request-body limits that answer `413 payload_too_large` naming the limit, whether the
//! body declared its length (`Content-Length`, refused before a byte is read) or streamed
//! past it (chunked: cut where it crossed the limit).
//!
//! [`limited`] wraps a body and hands back a [`Tripwire`] that tells, once the handler (or
//! the upstream) has answered, whether the body was cut; whatever the reader made of the
//! cut-off body (axum's plain-text "Failed to buffer the request body", a 502 from a proxied
//! call), the caller answers [`too_large`] instead. [`apply`] does both for a router:
//!
//! ```ignore
//! let router = quorum_web::limit::apply(router, |_method, _path| Some(10 << 20));
//! ```

use std::pin::Pin;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};

use axum::body::{Body, HttpBody};
use axum::extract::{DefaultBodyLimit, Request, State};
use axum::http::{header, HeaderMap, Method};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Router;
use bytes::Bytes;
use http_body::{Frame, SizeHint};
use http_body_util::{LengthLimitError, Limited};

use crate::{Code, Problem};

/// The `413 payload_too_large` problem, naming `limit`.
pub fn too_large(limit: usize) -> Response {
    Problem::new(
        Code::PayloadTooLarge,
        format!("the request body exceeds the limit of {limit} bytes"),
    )
    .into_response()
}

/// The body's declared `Content-Length`, when it has a readable one.
pub fn declared_length(headers: &HeaderMap) -> Option<u64> {
    headers
        .get(header::CONTENT_LENGTH)?
        .to_str()
        .ok()?
        .parse()
        .ok()
}

/// Whether a body given to [`limited`] went past its limit.
#[derive(Debug, Clone, Default)]
pub struct Tripwire(Arc<AtomicBool>);

impl Tripwire {
    pub fn tripped(&self) -> bool {
        self.0.load(Ordering::Acquire)
    }
}

/// `body`, ending in an error once more than `limit` bytes have been read from it (its size
/// hint kept, so a declared length still travels), and the [`Tripwire`] that tells.
pub fn limited(body: Body, limit: usize) -> (Body, Tripwire) {
    let wire = Tripwire::default();
    let body = Body::new(Cut {
        inner: Limited::new(body, limit),
        wire: wire.clone(),
    });
    (body, wire)
}

struct Cut {
    inner: Limited<Body>,
    wire: Tripwire,
}

impl HttpBody for Cut {
    type Data = Bytes;
    type Error = Box<dyn std::error::Error + Send + Sync>;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if let Poll::Ready(Some(Err(e))) = &polled {
            if e.is::<LengthLimitError>() {
                self.wire.0.store(true, Ordering::Release);
            }
        }
        polled
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

type LimitFor = dyn Fn(&Method, &str) -> Option<usize> + Send + Sync;

/// The state of [`apply`]'s middleware: the limit of each request, by method and path; `None` leaves the
/// request to a limit of the route's own (a recording upload).
#[derive(Clone)]
struct BodyLimit(Arc<LimitFor>);

/// `router` with every request body held to `limit_for(method, path)` bytes, with a `413`
/// naming the limit. The limit replaces axum's own 2 MiB default (`DefaultBodyLimit`), so the
/// limit a deployment configures is the one that applies; a route that sets its own
/// `DefaultBodyLimit` (and gets `None` here) keeps it.
pub fn apply<S, F>(router: Router<S>, limit_for: F) -> Router<S>
where
    S: Clone + Send + Sync + 'static,
    F: Fn(&Method, &str) -> Option<usize> + Send + Sync + 'static,
{
    router
        .layer(DefaultBodyLimit::disable())
        .layer(axum::middleware::from_fn_with_state(
            BodyLimit(Arc::new(limit_for)),
            middleware,
        ))
}

async fn middleware(State(limits): State<BodyLimit>, req: Request, next: Next) -> Response {
    let Some(limit) = (limits.0)(req.method(), req.uri().path()) else {
        return next.run(req).await;
    };
    if declared_length(req.headers()).is_some_and(|len| len > limit as u64) {
        return too_large(limit);
    }
    let (parts, body) = req.into_parts();
    let (body, wire) = limited(body, limit);
    let res = next.run(Request::from_parts(parts, body)).await;
    if wire.tripped() {
        return too_large(limit);
    }
    res
}
