//! The user directory: the platform user directory ([`quorum_directory`]) kept from
//! `user.*` on `todo.user.queue`, for matching assignees and showing their current names.
//! After a user's entry changes, the cached lists and stats that show their name are
//! evicted: their own, and those of whoever created todos assigned to them.

use std::collections::BTreeSet;
use std::sync::Arc;

use async_trait::async_trait;
use quorum_bus::{Consumer, Subscription};
use quorum_directory::{OnChange, UserEvents};
use uuid::Uuid;

use crate::app::AppState;
use crate::error::ApiError;
use crate::repository::meetings;

pub(crate) const SUBSCRIPTION: Subscription = quorum_directory::subscription("todo.user.queue");
/// The consumer's name in the inbox.
pub(crate) const CONSUMER: &str = "todo.directory";

/// The `user.*` consumer.
pub(crate) fn consumer(state: AppState) -> Arc<Consumer<UserEvents<EvictAssigned>>> {
    let db = state.db.clone();
    Consumer::new(
        db,
        UserEvents::new(CONSUMER).on_change(EvictAssigned(state)),
    )
}

pub(crate) struct EvictAssigned(AppState);

impl EvictAssigned {
    async fn touched(&self, user: Uuid) -> Result<BTreeSet<Uuid>, ApiError> {
        let mut conn = self.0.db.reader().acquire().await?;
        let mut touched: BTreeSet<Uuid> = meetings::creators_of_assigned(&mut conn, user)
            .await?
            .into_iter()
            .collect();
        touched.insert(user);
        Ok(touched)
    }
}

#[async_trait]
impl OnChange for EvictAssigned {
    async fn changed(&self, user: Uuid) {
        match self.touched(user).await {
            Ok(touched) => self.0.evict(&touched).await,
            // The change is committed; lists only show the old name until their TTL.
            Err(e) => {
                tracing::warn!(%user, error = %e, "todo cache eviction failed");
                self.0.evict(&BTreeSet::from([user])).await;
            }
        }
    }
}
