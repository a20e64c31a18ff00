//! The notification service's schema (scope `"notification"`), in portable SQL (see
//! `quorum_store`).
//!
//! - `contacts` (until migration 2): user id → e-mail, name, locale, from `user.*`; now the
//!   platform user directory (`user_directory`, see `quorum_directory`), which migration 2
//!   copies it into;
//! - `meeting_refs`, `todo_refs`: the little the service remembers from events to pick
//!   recipients of later ones (a meeting's owner, a to-do's creator);
//! - `notifications`: in-app notifications, unique per (event, recipient), with the meeting
//!   they are about (migration 4);
//! - `deliveries`: e-mails, unique per (event, recipient, channel), with their state
//!   (`PENDING → SENT | FAILED`) and meeting; `attempts`: one row per try at sending one;
//! - `deleted_meetings`: the tombstones of deleted meetings (nobody is told about them again;
//!   `quorum_service::deleted_meetings`);
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
    Migration::new(
        3,
        "deleted_meetings",
        quorum_service::deleted_meetings::TABLE,
    ),
    // The meeting a notification (or an e-mail) is about, so a deleted meeting's go with it:
    // from the link of those about a meeting, from the to-do's meeting for those about a
    // to-do, and for e-mails from their event's notifications.
    Migration::new(
        4,
        "meeting_of_notifications",
        "ALTER TABLE notifications ADD COLUMN meeting_id TEXT;
        ALTER TABLE deliveries ADD COLUMN meeting_id TEXT;
        UPDATE notifications SET meeting_id = SUBSTR(link, 11) WHERE link LIKE '/meetings/%';
        UPDATE notifications SET meeting_id = (SELECT r.meeting_id FROM todo_refs r
            WHERE r.todo_id = SUBSTR(notifications.link, 8)) WHERE link LIKE '/todos/%';
        UPDATE deliveries SET meeting_id = (SELECT MAX(n.meeting_id) FROM notifications n
            WHERE n.event_id = deliveries.event_id);
        CREATE INDEX notifications_meeting ON notifications (meeting_id);
        CREATE INDEX deliveries_meeting ON deliveries (meeting_id)",
    ),
];
