//! Shared request state and the cache-aside profile read.

use std::sync::Arc;

use quorum_auth::{KeyRing, RevocationList};
use quorum_bus::Outbox;
use quorum_cache::Cache;
use quorum_store::{Db, Tx};

use crate::error::ApiError;
use crate::password::Hasher;
use crate::repository::users;
use crate::settings::Settings;
use crate::views::UserView;

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) db: Db,
    pub(crate) outbox: Outbox,
    /// `userProfile` cache, keyed by user id; evicted after every write.
    pub(crate) profiles: Cache<UserView>,
    pub(crate) ring: Arc<KeyRing>,
    pub(crate) revocations: Arc<dyn RevocationList>,
    pub(crate) hasher: Hasher,
    pub(crate) settings: Arc<Settings>,
}

impl AppState {
    /// The profile of `id`, from the cache or the database (404 when unknown).
    pub(crate) async fn profile(&self, id: &str) -> Result<UserView, ApiError> {
        self.profiles
            .get_or_load(id, || async {
                users::find_by_id(&self.db, id)
                    .await?
                    .map(|u| UserView::from(&u))
                    .ok_or_else(|| ApiError::NotFound(id.to_owned()))
            })
            .await
    }

    /// Commits `tx` and wakes the outbox relay.
    pub(crate) async fn commit(&self, tx: Tx) -> Result<(), ApiError> {
        tx.commit().await?;
        self.outbox.committed();
        Ok(())
    }
}
