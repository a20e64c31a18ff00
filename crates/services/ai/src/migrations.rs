//! The AI service's schema (scope `"ai"`), in portable SQL (see `quorum_store`).
//!
//! - `transcripts`: the `transcript.created` payloads (event-carried state), so requests by
//!   transcript id never call the transcript service;
//! - `analyses`: one row per analysis; kind `AUTO` (at most one per transcript, so a
//!   redelivered event cannot duplicate it), `SUMMARY` or `SCHEDULE` (at most one per task,
//!   so a redelivered job reuses it); `result` is the engine's JSON;
//! - `schedule_suggestions`: suggested meetings with their own ids (for `.ics`);
//! - `ai_tasks`: who asked for each task (only they may read its status);
//! - `deleted_meetings`: the tombstones of deleted meetings (no transcript is kept and no
//!   analysis made for them again; `quorum_service::deleted_meetings`).

use quorum_store::Migration;

pub(crate) const MIGRATIONS: &[Migration] = &[
    Migration::new(
        1,
        "analyses",
        "CREATE TABLE transcripts (
        transcript_id TEXT PRIMARY KEY,
        meeting_id TEXT NOT NULL,
        payload TEXT NOT NULL,
        received_at BIGINT NOT NULL
    );
    CREATE INDEX transcripts_meeting ON transcripts (meeting_id, received_at);
    CREATE TABLE analyses (
        id TEXT PRIMARY KEY,
        meeting_id TEXT NOT NULL,
        transcript_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        task_id TEXT,
        engine TEXT NOT NULL,
        result TEXT NOT NULL,
        created_at BIGINT NOT NULL
    );
    CREATE UNIQUE INDEX analyses_auto ON analyses (transcript_id) WHERE kind = 'AUTO';
    CREATE UNIQUE INDEX analyses_task ON analyses (task_id) WHERE task_id IS NOT NULL;
    CREATE INDEX analyses_meeting ON analyses (meeting_id, kind, created_at);
    CREATE TABLE schedule_suggestions (
        id TEXT PRIMARY KEY,
        analysis_id TEXT NOT NULL REFERENCES analyses (id) ON DELETE CASCADE,
        meeting_id TEXT NOT NULL,
        position BIGINT NOT NULL,
        title TEXT NOT NULL,
        start_at BIGINT NOT NULL,
        duration_minutes BIGINT NOT NULL,
        participant_ids TEXT NOT NULL,
        reason TEXT NOT NULL
    );
    CREATE INDEX schedule_suggestions_analysis ON schedule_suggestions (analysis_id, position);
    CREATE TABLE ai_tasks (
        task_id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        requester TEXT NOT NULL,
        meeting_id TEXT NOT NULL,
        transcript_id TEXT NOT NULL,
        created_at BIGINT NOT NULL
    )",
    ),
    Migration::new(
        2,
        "deleted_meetings",
        quorum_service::deleted_meetings::TABLE,
    ),
];
