//! Live notifications for `GET /api/notifications/stream`: one tokio broadcast channel per
//! connected user, fed after a consumer's transaction commits.
//!
//! The hub is per process: with several replicas a user sees live only what the replica
//! holding their stream wrote (the list endpoint always shows everything).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::broadcast;
use uuid::Uuid;

use crate::views::NotificationView;

/// Notifications buffered per user for a slow stream before it lags.
const CAPACITY: usize = 64;

#[derive(Clone, Default)]
pub(crate) struct Hub {
    users: Arc<Mutex<HashMap<Uuid, broadcast::Sender<NotificationView>>>>,
}

impl Hub {
    /// A receiver for `user`'s notifications from now on.
    pub(crate) fn subscribe(&self, user: Uuid) -> broadcast::Receiver<NotificationView> {
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        // Forget channels whose streams have all gone.
        users.retain(|_, tx| tx.receiver_count() > 0);
        users
            .entry(user)
            .or_insert_with(|| broadcast::channel(CAPACITY).0)
            .subscribe()
    }

    /// Sends `n` to `user`'s open streams, if any.
    pub(crate) fn publish(&self, user: Uuid, n: NotificationView) {
        let mut users = self.users.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(tx) = users.get(&user) {
            if tx.send(n).is_err() {
                users.remove(&user);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(title: &str) -> NotificationView {
        NotificationView {
            id: Uuid::now_v7(),
            kind: "meeting.ended".into(),
            title: title.into(),
            body: String::new(),
            link: None,
            data: serde_json::json!({}),
            created_at: chrono::Utc::now(),
            read_at: None,
        }
    }

    #[tokio::test]
    async fn only_the_recipient_hears_it() {
        let hub = Hub::default();
        let (a, b) = (Uuid::now_v7(), Uuid::now_v7());
        let mut ra = hub.subscribe(a);
        let mut rb = hub.subscribe(b);
        hub.publish(a, view("for a"));
        assert_eq!(ra.recv().await.unwrap().title, "for a");
        assert!(rb.try_recv().is_err());
        drop(ra);
        hub.publish(a, view("nobody listens"));
        assert!(!hub.users.lock().unwrap().contains_key(&a));
    }
}
