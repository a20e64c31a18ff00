//! A deadline for one call.

use std::future::Future;
use std::time::Duration;

/// The call did not finish within its deadline (it was dropped, i.e. cancelled).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("timed out after {after:?}")]
pub struct Elapsed {
    pub after: Duration,
}

/// Runs `fut` for at most `after`. A thin wrapper over [`tokio::time::timeout`] whose error
/// says how long it waited; compose with a call's own error as `timeout(d, call).await??`
/// when both convert into the caller's error type.
pub async fn timeout<F: Future>(after: Duration, fut: F) -> Result<F::Output, Elapsed> {
    tokio::time::timeout(after, fut)
        .await
        .map_err(|_| Elapsed { after })
}
