//! Event streams end with the token that opened them.
//!
//! A token is checked when a request arrives; an event stream (`text/event-stream`: the
//! notifications, a task's progress) then stays open for as long as the client likes. So
//! that signing out — or a refresh-token reuse, a password change — also ends the streams a
//! session holds open, the answer's body is cut when the token expires, or when the
//! revocation list, asked again every `auth.stream_recheck_secs`, says the token or its
//! session was revoked. The client sees the stream end; an `EventSource` reconnects, and the
//! reconnection is authenticated afresh (a revoked token gets 401, which ends it).
//! A revocation list that cannot answer keeps the stream open (the next check may).

use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::response::Response;
use futures::StreamExt as _;
use http::header;
use http_body_util::{BodyStream, StreamBody};
use quorum_auth::{AccessClaims, RevocationList};

/// `res`, its body cut when the token of `claims` expires or is revoked, if it is an event
/// stream; any other answer unchanged.
pub(crate) fn bound_to_token(
    res: Response,
    claims: AccessClaims,
    revocations: Arc<dyn RevocationList>,
    recheck: Duration,
) -> Response {
    let is_stream = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.trim_start().starts_with("text/event-stream"));
    if !is_stream {
        return res;
    }
    let (parts, body) = res.into_parts();
    let frames = BodyStream::new(body).take_until(token_ended(claims, revocations, recheck));
    Response::from_parts(parts, Body::new(StreamBody::new(frames)))
}

/// Resolves when the token expires or is found revoked.
async fn token_ended(
    claims: AccessClaims,
    revocations: Arc<dyn RevocationList>,
    recheck: Duration,
) {
    let left = claims.exp.saturating_sub(chrono::Utc::now().timestamp());
    let expiry = tokio::time::sleep(Duration::from_secs(u64::try_from(left).unwrap_or(0)));
    tokio::pin!(expiry);
    let mut every = tokio::time::interval(recheck.max(Duration::from_millis(100)));
    every.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    every.tick().await; // the first tick is immediate; the request was just checked
    loop {
        tokio::select! {
            () = &mut expiry => {
                tracing::debug!(user = %claims.sub, "event stream closed: the token expired");
                return;
            }
            _ = every.tick() => match quorum_auth::is_revoked(revocations.as_ref(), &claims).await {
                Ok(true) => {
                    tracing::info!(user = %claims.sub, "event stream closed: the token was revoked");
                    return;
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(error = %e, "revocation list unavailable; the stream stays open"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Utc;
    use http_body_util::BodyExt as _;
    use quorum_auth::MemoryRevocationList;
    use uuid::Uuid;

    fn claims(exp_in: i64) -> AccessClaims {
        let now = Utc::now().timestamp();
        AccessClaims {
            sub: Uuid::now_v7(),
            iss: "quorum".into(),
            aud: "quorum-api".into(),
            exp: now + exp_in,
            nbf: now,
            iat: now,
            jti: Uuid::now_v7().to_string(),
            sid: Some("session-1".into()),
        }
    }

    /// An endless stream of comments, as an idle SSE answer is.
    fn endless(content_type: &'static str) -> Response {
        let ticks = futures::stream::unfold((), |()| async {
            tokio::time::sleep(Duration::from_millis(50)).await;
            Some((Ok::<_, std::io::Error>(bytes_of(": keep-alive\n\n")), ()))
        });
        Response::builder()
            .header(header::CONTENT_TYPE, content_type)
            .body(Body::from_stream(ticks))
            .unwrap()
    }

    fn bytes_of(s: &'static str) -> axum::body::Bytes {
        axum::body::Bytes::from_static(s.as_bytes())
    }

    /// Reads the body until it ends; how long that took (or `None` after `limit`).
    async fn ends_within(res: Response, limit: Duration) -> Option<Duration> {
        let started = tokio::time::Instant::now();
        let mut body = res.into_body();
        let read = async {
            while let Some(frame) = body.frame().await {
                frame.unwrap();
            }
        };
        tokio::time::timeout(limit, read).await.ok()?;
        Some(started.elapsed())
    }

    #[tokio::test]
    async fn a_stream_ends_soon_after_its_session_is_revoked() {
        let list = Arc::new(MemoryRevocationList::new());
        let c = claims(900);
        let res = bound_to_token(
            endless("text/event-stream"),
            c.clone(),
            list.clone(),
            Duration::from_millis(200),
        );
        let revoke = async {
            tokio::time::sleep(Duration::from_millis(300)).await;
            let until = Utc::now() + chrono::Duration::seconds(900);
            list.revoke(&quorum_auth::session_key("session-1"), until)
                .await
                .unwrap();
        };
        let (took, ()) = tokio::join!(ends_within(res, Duration::from_secs(5)), revoke);
        let took = took.expect("the stream ended");
        assert!(took >= Duration::from_millis(300), "{took:?}");
    }

    #[tokio::test]
    async fn a_stream_ends_when_its_token_expires() {
        let list = Arc::new(MemoryRevocationList::new());
        let res = bound_to_token(
            endless("text/event-stream; charset=utf-8"),
            claims(1),
            list,
            Duration::from_secs(60),
        );
        assert!(ends_within(res, Duration::from_secs(5)).await.is_some());
    }

    #[tokio::test]
    async fn other_answers_and_live_tokens_are_left_alone() {
        let list = Arc::new(MemoryRevocationList::new());
        let res = bound_to_token(
            endless("text/event-stream"),
            claims(900),
            list.clone(),
            Duration::from_millis(100),
        );
        assert!(ends_within(res, Duration::from_millis(600)).await.is_none());
        // Not an event stream: never cut, even for a revoked token.
        let c = claims(900);
        list.revoke(&c.jti, Utc::now() + chrono::Duration::seconds(900))
            .await
            .unwrap();
        let res = bound_to_token(
            endless("application/octet-stream"),
            c,
            list,
            Duration::from_millis(100),
        );
        assert!(ends_within(res, Duration::from_millis(600)).await.is_none());
    }
}
