//! Typed identifiers.

use uuid::Uuid;

quorum_web::typed_id!(pub(crate) MeetingId, "meeting id");

impl MeetingId {
    /// A new id (a UUIDv7, so ids sort by creation time).
    pub(crate) fn new() -> Self {
        Self::from(Uuid::now_v7())
    }
}
