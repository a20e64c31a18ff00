//! User events as the identity service publishes them, and a history of them delivered out
//! of order, for the test every service that keeps the user directory runs: whatever order
//! the events arrive in, the directory settles on the latest state, and a deleted user never
//! comes back.

use std::time::Duration;

use chrono::{DateTime, Utc};
use quorum_bus::{Broker, Envelope};
use quorum_contracts::events::{
    UserChanged, UserDeleted, USER_CREATED, USER_DELETED, USER_UPDATED,
};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use quorum_store::{sqlx, Db};
use uuid::Uuid;

use crate::service;

/// A `user.created` / `user.updated` envelope (locale `en`) that happened at `at`.
pub fn changed(kind: &str, user: Uuid, name: &str, email: &str, at: DateTime<Utc>) -> Envelope {
    with_locale(kind, user, name, email, Some("en"), at)
}

/// A `user.created` / `user.updated` envelope with the user's `locale`.
pub fn with_locale(
    kind: &str,
    user: Uuid,
    name: &str,
    email: &str,
    locale: Option<&str>,
    at: DateTime<Utc>,
) -> Envelope {
    let payload = UserChanged {
        user_id: user,
        email: email.into(),
        name: name.into(),
        locale: locale.map(str::to_string),
        occurred_at: at,
    };
    Envelope::new(
        kind,
        "quorum/identity",
        Some(user.to_string()),
        SCHEMA_VERSION,
        &payload,
    )
    .expect("a user envelope")
}

/// A `user.deleted` envelope that happened at `at`.
pub fn deleted(user: Uuid, at: DateTime<Utc>) -> Envelope {
    let payload = UserDeleted {
        user_id: user,
        occurred_at: at,
    };
    Envelope::new(
        USER_DELETED,
        "quorum/identity",
        Some(user.to_string()),
        SCHEMA_VERSION,
        &payload,
    )
    .expect("a user.deleted envelope")
}

/// Two users' histories, delivered out of order.
pub struct OutOfOrder {
    /// Created as "Gone Before", renamed "Gone Renamed", then deleted; delivered: deletion,
    /// creation, rename, and the creation again (a redelivery).
    pub deleted: Uuid,
    /// Created as "First Name", renamed "Latest Name"; delivered: rename, then creation.
    pub renamed: Uuid,
    /// The envelopes, in delivery order.
    pub events: Vec<Envelope>,
}

impl OutOfOrder {
    /// The histories of two new users.
    pub fn new() -> Self {
        Self::for_users(Uuid::now_v7(), Uuid::now_v7())
    }

    /// The histories of `gone` and `renamed`, which happen after anything that happened to
    /// them so far (the events are stamped from a minute from now).
    pub fn for_users(gone: Uuid, renamed: Uuid) -> Self {
        let start = Utc::now() + chrono::Duration::minutes(1);
        let at = |s: i64| start + chrono::Duration::seconds(s);
        let created = changed(USER_CREATED, gone, "Gone Before", "gone@example.com", at(0));
        let events = vec![
            deleted(gone, at(20)),
            created.clone(),
            changed(
                USER_UPDATED,
                gone,
                "Gone Renamed",
                "gone2@example.com",
                at(10),
            ),
            changed(
                USER_UPDATED,
                renamed,
                "Latest Name",
                "latest@example.com",
                at(30),
            ),
            changed(
                USER_CREATED,
                renamed,
                "First Name",
                "first@example.com",
                at(5),
            ),
            created,
        ];
        Self {
            deleted: gone,
            renamed,
            events,
        }
    }

    /// Publishes the events on `user.events` in delivery order and waits (≤ 10 s) until
    /// `consumer` has recorded each distinct one in `db`'s inbox.
    pub async fn deliver(&self, broker: &dyn Broker, db: &Db, consumer: &str) {
        for e in &self.events {
            service::publish(broker, exchanges::USER, e).await;
        }
        let mut ids: Vec<String> = self.events.iter().map(|e| e.id.to_string()).collect();
        ids.sort();
        ids.dedup();
        service::eventually(
            Duration::from_secs(10),
            "the user events to be handled",
            || {
                let ids = ids.clone();
                async move {
                    let mut handled = 0;
                    for id in &ids {
                        let seen: i64 = sqlx::query_scalar(
                            "SELECT COUNT(*) FROM inbox WHERE consumer = $1 AND event_id = $2",
                        )
                        .bind(consumer)
                        .bind(id)
                        .fetch_one(db.reader())
                        .await
                        .expect("inbox query");
                        handled += usize::from(seen > 0);
                    }
                    handled == ids.len()
                }
            },
        )
        .await;
    }
}

impl Default for OutOfOrder {
    fn default() -> Self {
        Self::new()
    }
}
