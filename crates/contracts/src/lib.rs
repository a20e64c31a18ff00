//! The contract between Quorum services: event names, exchanges and payloads (schema
//! version 1). Payloads are camelCase JSON, as in seed 000 §3.4.
//!
//! Adding a field is backward compatible (consumers ignore unknown fields, new fields are
//! optional); removing or changing one needs a new `schemaVersion`.

pub mod events;

/// Topic exchanges, one per publishing context.
pub mod exchanges {
    pub const USER: &str = "user.events";
    pub const MEETING: &str = "meeting.events";
    pub const TRANSCRIPT: &str = "transcript.events";
    pub const AI: &str = "ai.events";
    pub const TODO: &str = "todo.events";
    /// Every exchange, for declaring the topology.
    pub const ALL: [&str; 5] = [USER, MEETING, TRANSCRIPT, AI, TODO];
}

/// Current schema version of every payload in [`events`].
pub const SCHEMA_VERSION: u32 = 1;
