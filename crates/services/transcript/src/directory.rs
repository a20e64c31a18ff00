//! The user directory: the platform user directory ([`quorum_directory`]) kept from
//! `user.*` on `transcript.user.queue`, so sharing can refuse unknown (or deleted) users
//! without calling the identity service.

use std::sync::Arc;

use quorum_bus::{Consumer, Subscription};
use quorum_directory::UserEvents;

use crate::app::AppState;

/// The queue this service consumes user events from.
pub(crate) const SUBSCRIPTION: Subscription =
    quorum_directory::subscription("transcript.user.queue");
/// The consumer's name in the inbox.
pub(crate) const CONSUMER: &str = "transcript.directory";

/// The `user.*` consumer.
pub(crate) fn consumer(state: AppState) -> Arc<Consumer<UserEvents>> {
    Consumer::new(state.db, UserEvents::new(CONSUMER))
}
