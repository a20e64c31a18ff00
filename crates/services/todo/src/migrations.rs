//! The todo service's schema (scope `"todo"`), in portable SQL (see `quorum_store`).
//! `deleted_meetings` holds the tombstones of deleted meetings
//! (`quorum_service::deleted_meetings`).

use quorum_store::Migration;

pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration::new(
        1,
        "todos",
        "CREATE TABLE todos (
            id TEXT PRIMARY KEY,
            meeting_id TEXT,
            title TEXT NOT NULL,
            status TEXT NOT NULL,
            source TEXT NOT NULL,
            assignee_id TEXT,
            assignee_name TEXT,
            due_date TEXT,
            created_by TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE INDEX todos_assignee ON todos (assignee_id);
        CREATE INDEX todos_creator ON todos (created_by);
        CREATE INDEX todos_meeting ON todos (meeting_id);
        CREATE TABLE todo_status_history (
            seq {{serial}},
            todo_id TEXT NOT NULL,
            from_status TEXT,
            to_status TEXT NOT NULL,
            changed_by TEXT,
            changed_at BIGINT NOT NULL
        );
        CREATE INDEX todo_status_history_todo ON todo_status_history (todo_id, seq)",
    ),
    Migration::new(
        2,
        "meetings_directory",
        "CREATE TABLE meetings (
            meeting_id TEXT PRIMARY KEY,
            owner_id TEXT,
            title TEXT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE TABLE meeting_participants (
            meeting_id TEXT NOT NULL,
            user_id TEXT NOT NULL,
            name TEXT NOT NULL,
            PRIMARY KEY (meeting_id, user_id)
        );
        CREATE TABLE directory (
            user_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            email TEXT NOT NULL,
            updated_at BIGINT NOT NULL
        )",
    ),
    Migration::new(
        3,
        "platform_directory",
        "INSERT INTO user_directory (user_id, name, email, locale, deleted, updated_at)
            SELECT user_id, name, email, NULL, 0, updated_at FROM directory;
        DROP TABLE directory",
    ),
    // Meetings deleted (`meeting.deleted`): no todo is made for them again.
    Migration::new(
        4,
        "deleted_meetings",
        quorum_service::deleted_meetings::TABLE,
    ),
    // Todos of a meeting deleted by hand: the same action item found again (a re-analysis
    // after a correction) does not bring them back.
    Migration::new(
        5,
        "deleted_todos",
        "CREATE TABLE deleted_todos (
            todo_id TEXT PRIMARY KEY,
            meeting_id TEXT NOT NULL,
            title TEXT NOT NULL,
            assignee_id TEXT,
            assignee_name TEXT,
            deleted_at BIGINT NOT NULL
        );
        CREATE INDEX deleted_todos_meeting ON deleted_todos (meeting_id)",
    ),
];
