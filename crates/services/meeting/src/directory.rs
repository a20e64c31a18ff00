//! The participant directory: the platform user directory ([`quorum_directory`]) kept from
//! `user.*` on `meeting.user.queue`, so creating a meeting never calls the identity service.
//! After a user's entry changes, the cached participant lists that show them are evicted.

use async_trait::async_trait;
use quorum_bus::{Consumer, Subscription};
use quorum_directory::{OnChange, UserEvents};
use std::sync::Arc;
use uuid::Uuid;

use crate::app::AppState;
use crate::error::ApiError;
use crate::repository;

/// The queue this service consumes user events from.
pub(crate) const SUBSCRIPTION: Subscription = quorum_directory::subscription("meeting.user.queue");
/// The consumer's name in the inbox.
pub(crate) const CONSUMER: &str = "meeting.directory";

/// The `user.*` consumer.
pub(crate) fn consumer(state: AppState) -> Arc<Consumer<UserEvents<EvictParticipants>>> {
    let db = state.db.clone();
    Consumer::new(
        db,
        UserEvents::new(CONSUMER).on_change(EvictParticipants(state)),
    )
}

/// Participant lists show names: drop those that include the user.
pub(crate) struct EvictParticipants(AppState);

impl EvictParticipants {
    async fn evict(&self, user: Uuid) -> Result<(), ApiError> {
        let mut conn = self.0.db.reader().acquire().await?;
        let meetings = repository::meetings_of(&mut conn, user).await?;
        drop(conn);
        for meeting in meetings {
            self.0.evict_participants(meeting).await;
        }
        Ok(())
    }
}

#[async_trait]
impl OnChange for EvictParticipants {
    async fn changed(&self, user: Uuid) {
        // The change is committed; a failed eviction only leaves names stale until the
        // participants TTL, so it is logged, not retried.
        if let Err(e) = self.evict(user).await {
            tracing::warn!(%user, error = %e, "participant cache eviction failed");
        }
    }
}
