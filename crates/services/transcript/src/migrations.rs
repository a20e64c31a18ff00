//! The transcript service's schema (scope `"transcript"`), in portable SQL (see
//! `quorum_store`). `meeting_id` is unique in `transcripts` and in `stt_jobs`: one transcript
//! per meeting, however often `meeting.ended` arrives. `deleted_meetings` holds the tombstones
//! of deleted meetings (`quorum_service::deleted_meetings`).

use quorum_store::Migration;

pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration::new(
        1,
        "transcripts",
        "CREATE TABLE transcripts (
            id TEXT PRIMARY KEY,
            meeting_id TEXT NOT NULL UNIQUE,
            meeting_title TEXT NOT NULL,
            owner_id TEXT NOT NULL,
            status TEXT NOT NULL,
            language TEXT NOT NULL,
            source TEXT NOT NULL,
            warnings TEXT NOT NULL,
            participants TEXT NOT NULL,
            meeting_date BIGINT NOT NULL,
            stt_task_id TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE TABLE transcript_readers (
            transcript_id TEXT NOT NULL REFERENCES transcripts (id) ON DELETE CASCADE,
            user_id TEXT NOT NULL,
            participant BIGINT NOT NULL,
            shared_by TEXT,
            added_at BIGINT NOT NULL,
            PRIMARY KEY (transcript_id, user_id)
        );
        CREATE INDEX transcript_readers_user ON transcript_readers (user_id);
        CREATE TABLE transcript_sections (
            transcript_id TEXT NOT NULL REFERENCES transcripts (id) ON DELETE CASCADE,
            idx BIGINT NOT NULL,
            speaker TEXT,
            speaker_id TEXT,
            start_ms BIGINT,
            end_ms BIGINT,
            text TEXT NOT NULL,
            verified BIGINT NOT NULL DEFAULT 0,
            verified_by TEXT,
            verified_at BIGINT,
            edited_by TEXT,
            edited_at BIGINT,
            PRIMARY KEY (transcript_id, idx)
        )",
    ),
    Migration::new(
        2,
        "stt_jobs",
        "CREATE TABLE stt_jobs (
            task_id TEXT PRIMARY KEY,
            meeting_id TEXT NOT NULL UNIQUE,
            event TEXT NOT NULL,
            status TEXT NOT NULL,
            error TEXT,
            created_at BIGINT NOT NULL,
            updated_at BIGINT NOT NULL
        );
        CREATE INDEX stt_jobs_status ON stt_jobs (status, created_at)",
    ),
    Migration::new(
        3,
        "directory",
        "CREATE TABLE directory (
            user_id TEXT PRIMARY KEY,
            name TEXT NOT NULL,
            email TEXT NOT NULL,
            updated_at BIGINT NOT NULL
        )",
    ),
    Migration::new(
        4,
        "stt_chunks",
        "ALTER TABLE stt_jobs ADD COLUMN mode TEXT NOT NULL DEFAULT 'CREATE';
        ALTER TABLE stt_jobs ADD COLUMN enqueued BIGINT NOT NULL DEFAULT 1;
        ALTER TABLE stt_jobs ADD COLUMN total_chunks BIGINT NOT NULL DEFAULT 0;
        ALTER TABLE stt_jobs ADD COLUMN warnings TEXT NOT NULL DEFAULT '[]';
        CREATE TABLE stt_chunks (
            task_id TEXT NOT NULL REFERENCES stt_jobs (task_id) ON DELETE CASCADE,
            idx BIGINT NOT NULL,
            recording_id TEXT NOT NULL,
            speaker_id TEXT,
            start_ms BIGINT NOT NULL,
            end_ms BIGINT NOT NULL,
            path TEXT NOT NULL,
            status TEXT NOT NULL,
            result TEXT,
            error TEXT,
            updated_at BIGINT NOT NULL,
            PRIMARY KEY (task_id, idx)
        );
        CREATE INDEX stt_jobs_enqueued ON stt_jobs (enqueued, status)",
    ),
    Migration::new(
        5,
        "platform_directory",
        "INSERT INTO user_directory (user_id, name, email, locale, deleted, updated_at)
            SELECT user_id, name, email, NULL, 0, updated_at FROM directory;
        DROP TABLE directory",
    ),
    // Meetings deleted (`meeting.deleted`): nothing is made for them again.
    Migration::new(
        6,
        "deleted_meetings",
        quorum_service::deleted_meetings::TABLE,
    ),
    // Meetings take turns on the work queue: at most `stt_window` chunks of a job are on it
    // at once, and `queued_at` says which (NULL: waiting for room). Chunks of jobs already
    // queued when this runs count as on the queue.
    Migration::new(
        7,
        "stt_chunk_queue",
        "ALTER TABLE stt_chunks ADD COLUMN queued_at BIGINT;
        UPDATE stt_chunks SET queued_at = updated_at WHERE status = 'PENDING'
            AND task_id IN (SELECT task_id FROM stt_jobs WHERE enqueued = 1);
        CREATE INDEX stt_chunks_queued ON stt_chunks (status, queued_at)",
    ),
];
