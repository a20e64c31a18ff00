//! Application state and the steps every route shares: cached reads with visibility checks
//! and cache eviction after writes.

use std::path::PathBuf;
use std::sync::Arc;

use quorum_bus::{Broker, Outbox};
use quorum_cache::{specs, Cache, CacheStore};
use quorum_store::Db;
use quorum_tasks::TaskStore;
use uuid::Uuid;

use crate::error::ApiError;
use crate::repository::{self, SectionRecord, TranscriptRecord};
use crate::stt::SpeechToText;
use crate::views::TranscriptView;

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) db: Db,
    pub(crate) outbox: Outbox,
    pub(crate) broker: Arc<dyn Broker>,
    pub(crate) tasks: Arc<dyn TaskStore>,
    pub(crate) stt: Arc<dyn SpeechToText>,
    /// Where jobs keep their chunk audio (one directory per job).
    pub(crate) chunks_dir: PathBuf,
    pub(crate) chunking: crate::settings::ChunkSettings,
    /// Chunks of one job on the work queue at once (`schedule.rs`).
    pub(crate) stt_window: u64,
    /// The language engines are told to expect, when set.
    pub(crate) language: Option<String>,
    transcripts: Cache<TranscriptRecord>,
    sections: Cache<Vec<SectionRecord>>,
}

impl AppState {
    pub(crate) fn new(
        db: Db,
        broker: Arc<dyn Broker>,
        cache: Arc<dyn CacheStore>,
        tasks: Arc<dyn TaskStore>,
        stt: Arc<dyn SpeechToText>,
        chunks_dir: PathBuf,
        settings: &crate::Settings,
    ) -> Self {
        Self {
            outbox: Outbox::new(db.clone()),
            db,
            broker,
            tasks,
            stt,
            chunks_dir,
            chunking: settings.chunking.clone(),
            stt_window: settings.stt_window,
            language: settings.stt.language.clone(),
            transcripts: Cache::new(specs::TRANSCRIPT, cache.clone()),
            sections: Cache::new(specs::SECTIONS, cache),
        }
    }

    async fn reader(
        &self,
    ) -> Result<quorum_store::sqlx::pool::PoolConnection<quorum_store::sqlx::Any>, ApiError> {
        Ok(self.db.reader().acquire().await?)
    }

    fn not_found(id: Uuid) -> ApiError {
        ApiError::NotFound(format!("transcript `{id}`"))
    }

    /// The transcript, if `caller` may read it (else 404: existence is not revealed).
    pub(crate) async fn visible(
        &self,
        caller: Uuid,
        id: Uuid,
    ) -> Result<TranscriptRecord, ApiError> {
        let t = self
            .transcripts
            .get_or_load(&id.to_string(), || async {
                let mut conn = self.reader().await?;
                repository::find(&mut conn, id)
                    .await?
                    .ok_or_else(|| Self::not_found(id))
            })
            .await?;
        if t.may_read(caller) {
            Ok(t)
        } else {
            Err(Self::not_found(id))
        }
    }

    pub(crate) async fn sections(&self, id: Uuid) -> Result<Vec<SectionRecord>, ApiError> {
        self.sections
            .get_or_load(&id.to_string(), || async {
                let mut conn = self.reader().await?;
                Ok(repository::sections(&mut conn, id).await?)
            })
            .await
    }

    pub(crate) async fn view(&self, caller: Uuid, id: Uuid) -> Result<TranscriptView, ApiError> {
        let t = self.visible(caller, id).await?;
        let sections = self.sections(id).await?;
        Ok(TranscriptView::new(t, sections))
    }

    /// Drops the cached transcript and sections (after a committed write).
    pub(crate) async fn evict(&self, id: Uuid) {
        let key = id.to_string();
        self.transcripts.evict(&key).await;
        self.sections.evict(&key).await;
    }
}
