//! Application state and the steps routes and workers share: reading a transcript the
//! caller may see, and running the engine and storing what it produced.

use std::sync::Arc;

use chrono::FixedOffset;
use quorum_bus::{Broker, Outbox};
use quorum_contracts::events::TranscriptCreated;
use quorum_store::Db;
use quorum_tasks::TaskStore;
use uuid::Uuid;

use crate::analyzer::Analyzer;
use crate::error::ApiError;
use crate::repository;

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) db: Db,
    pub(crate) outbox: Outbox,
    pub(crate) broker: Arc<dyn Broker>,
    pub(crate) tasks: Arc<dyn TaskStore>,
    pub(crate) analyzer: Analyzer,
    /// Where relative dates are resolved.
    pub(crate) timezone: FixedOffset,
}

impl AppState {
    async fn reader(
        &self,
    ) -> Result<quorum_store::sqlx::pool::PoolConnection<quorum_store::sqlx::Any>, ApiError> {
        Ok(self.db.reader().acquire().await?)
    }

    /// The transcript, if `caller` takes part in its meeting (else 404: existence is not
    /// revealed).
    pub(crate) async fn visible_transcript(
        &self,
        caller: Uuid,
        id: Uuid,
    ) -> Result<TranscriptCreated, ApiError> {
        let mut conn = self.reader().await?;
        repository::transcript(&mut conn, id)
            .await?
            .filter(|t| crate::analysis::may_see(t, caller))
            .ok_or_else(|| ApiError::NotFound(format!("transcript `{id}`")))
    }

    /// The newest transcript of a meeting, if `caller` takes part in it (else 404).
    pub(crate) async fn visible_meeting(
        &self,
        caller: Uuid,
        meeting: Uuid,
    ) -> Result<TranscriptCreated, ApiError> {
        let mut conn = self.reader().await?;
        repository::latest_transcript(&mut conn, meeting)
            .await?
            .filter(|t| crate::analysis::may_see(t, caller))
            .ok_or_else(|| ApiError::NotFound(format!("analysis of meeting `{meeting}`")))
    }
}
