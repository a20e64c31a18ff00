//! Application state and the steps every route shares: cached reads with visibility checks,
//! the locked read that starts a write, and cache eviction after it.

use quorum_bus::Outbox;
use quorum_cache::{specs, Cache, CacheStore};
use quorum_store::{sqlx::AnyConnection, Db};
use std::sync::Arc;
use uuid::Uuid;

use crate::domain::MeetingId;
use crate::error::ApiError;
use crate::quota::RecordingRules;
use crate::recording::RecordingStore;
use crate::repository::{self, MeetingRecord, Participant};
use crate::views::{MeetingView, TemplateView};

const TEMPLATES_KEY: &str = "all";

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) db: Db,
    pub(crate) outbox: Outbox,
    pub(crate) recordings: RecordingStore,
    /// How long a recording may be, and how much one user may upload a day.
    pub(crate) rules: RecordingRules,
    meetings: Cache<MeetingRecord>,
    participants: Cache<Vec<Participant>>,
    templates: Cache<Vec<TemplateView>>,
}

impl AppState {
    pub(crate) fn new(
        db: Db,
        outbox: Outbox,
        store: Arc<dyn CacheStore>,
        recordings: RecordingStore,
        rules: RecordingRules,
    ) -> Self {
        Self {
            db,
            outbox,
            recordings,
            rules,
            meetings: Cache::new(specs::MEETING, store.clone()),
            participants: Cache::new(specs::PARTICIPANTS, store.clone()),
            templates: Cache::new(specs::TEMPLATES, store),
        }
    }

    async fn reader(
        &self,
    ) -> Result<quorum_store::sqlx::pool::PoolConnection<quorum_store::sqlx::Any>, ApiError> {
        Ok(self.db.reader().acquire().await?)
    }

    /// The meeting and its participants, if `caller` takes part (else 404).
    pub(crate) async fn visible(
        &self,
        caller: Uuid,
        id: MeetingId,
    ) -> Result<(MeetingRecord, Vec<Participant>), ApiError> {
        let key = id.to_string();
        let meeting = self
            .meetings
            .get_or_load(&key, || async {
                let mut conn = self.reader().await?;
                repository::find(&mut conn, id.as_uuid())
                    .await?
                    .ok_or_else(|| ApiError::NotFound(id.to_string()))
            })
            .await?;
        let participants = self.participants(id.as_uuid()).await?;
        if participants.iter().any(|p| p.user_id == caller) {
            Ok((meeting, participants))
        } else {
            Err(ApiError::NotFound(id.to_string()))
        }
    }

    pub(crate) async fn view(&self, caller: Uuid, id: MeetingId) -> Result<MeetingView, ApiError> {
        let (m, p) = self.visible(caller, id).await?;
        Ok(MeetingView::new(m, p))
    }

    pub(crate) async fn participants(&self, meeting: Uuid) -> Result<Vec<Participant>, ApiError> {
        self.participants
            .get_or_load(&meeting.to_string(), || async {
                let mut conn = self.reader().await?;
                Ok(repository::participants(&mut conn, meeting).await?)
            })
            .await
    }

    pub(crate) async fn templates(&self) -> Result<Vec<TemplateView>, ApiError> {
        self.templates
            .get_or_load(TEMPLATES_KEY, || async {
                let mut conn = self.reader().await?;
                Ok(repository::templates(&mut conn).await?)
            })
            .await
    }

    /// Drops the cached meeting and participant list (after a committed write).
    pub(crate) async fn evict(&self, meeting: Uuid) {
        let key = meeting.to_string();
        self.meetings.evict(&key).await;
        self.participants.evict(&key).await;
    }

    pub(crate) async fn evict_participants(&self, meeting: Uuid) {
        self.participants.evict(&meeting.to_string()).await;
    }
}

/// What a write needs to be allowed.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Who {
    /// Any participant.
    Participant,
    /// The owner only; the text completes "only the meeting's owner may …".
    Owner(&'static str),
}

/// Reads the meeting inside a write transaction and checks the caller may act on it:
/// an outsider gets 404 (existence is not revealed), a participant where the owner is
/// required gets 403. Returns the meeting and its participant ids.
pub(crate) async fn authorize(
    conn: &mut AnyConnection,
    caller: Uuid,
    id: MeetingId,
    who: Who,
) -> Result<(MeetingRecord, Vec<Uuid>), ApiError> {
    let not_found = || ApiError::NotFound(id.to_string());
    let meeting = repository::find(conn, id.as_uuid())
        .await?
        .ok_or_else(not_found)?;
    let participants: Vec<Uuid> = repository::participants(conn, id.as_uuid())
        .await?
        .into_iter()
        .map(|p| p.user_id)
        .collect();
    if !participants.contains(&caller) {
        return Err(not_found());
    }
    if let Who::Owner(what) = who {
        if meeting.owner_id != caller {
            return Err(ApiError::NotOwner(what));
        }
    }
    Ok((meeting, participants))
}
