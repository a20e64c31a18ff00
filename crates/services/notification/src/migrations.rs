//! The notification service's schema (scope `"notification"`), in portable SQL (see
//! `quorum_store`).
//!
//! - `contacts` (until migration 2): user id → e-mail, name, locale, from `user.*`; now the
//!   platform user directory (`user_directory`, see `quorum_directory`), which migration 2
//!   copies it into;
//! - `meeting_refs`, `todo_refs`: the little the service remembers from events to pick
//!   recipients of later ones (a meeting's owner, a to-do's creator);
//! - `notifications`: in-app notifications, unique per (event, recipient);
//! - `deliveries`: e-mails, unique per (event, recipient, channel), with their state
//!   (`PENDING → SENT | FAILED`); `attempts`: one row per try at sending one;
//! - `preferences`: one JSON document per user who changed the defaults.

use quorum_store::Migration;

pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration::new(
        1,
        "notifications",
        "CREATE TABLE contacts (
        user_id TEXT PRIMARY KEY,
        email TEXT NOT NULL,
        name TEXT NOT NULL,
        locale TEXT,
        deleted BIGINT NOT NULL DEFAULT 0,
        updated_at BIGINT NOT NULL
    );
    CREATE TABLE meeting_refs (
        meeting_id TEXT PRIMARY KEY,
        owner_id TEXT NOT NULL,
        title TEXT NOT NULL,
        updated_at BIGINT NOT NULL
    );
    CREATE TABLE todo_refs (
        todo_id TEXT PRIMARY KEY,
        meeting_id TEXT,
        created_by TEXT,
        title TEXT NOT NULL
    );
    CREATE TABLE notifications (
        id TEXT PRIMARY KEY,
        event_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        title TEXT NOT NULL,
        body TEXT NOT NULL,
        link TEXT,
        data TEXT NOT NULL,
        created_at BIGINT NOT NULL,
        read_at BIGINT,
        UNIQUE (event_id, user_id)
    );
    CREATE INDEX notifications_user ON notifications (user_id, created_at);
    CREATE TABLE deliveries (
        id TEXT PRIMARY KEY,
        event_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        channel TEXT NOT NULL,
        notification_id TEXT,
        kind TEXT NOT NULL,
        address TEXT NOT NULL,
        subject TEXT NOT NULL,
        body_text TEXT NOT NULL,
        body_html TEXT,
        state TEXT NOT NULL,
        attempts BIGINT NOT NULL DEFAULT 0,
        lease_until BIGINT,
        last_error TEXT,
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        sent_at BIGINT,
        UNIQUE (event_id, user_id, channel)
    );
    CREATE INDEX deliveries_state ON deliveries (state, created_at);
    CREATE TABLE attempts (
        seq {{serial}},
        delivery_id TEXT NOT NULL,
        attempt BIGINT NOT NULL,
        outcome TEXT NOT NULL,
        detail TEXT,
        at BIGINT NOT NULL
    );
    CREATE INDEX attempts_delivery ON attempts (delivery_id, seq);
    CREATE TABLE preferences (
        user_id TEXT PRIMARY KEY,
        settings TEXT NOT NULL,
        updated_at BIGINT NOT NULL
    )",
    ),
    Migration::new(
        2,
        "platform_directory",
        "INSERT INTO user_directory (user_id, name, email, locale, deleted, updated_at)
            SELECT user_id, name, email, locale, deleted, updated_at FROM contacts;
        DROP TABLE contacts",
    ),
];
