//! Request and response bodies (camelCase JSON), with their OpenAPI schemas.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::{Source, TranscriptStatus};
use crate::repository::{SectionRecord, TranscriptRecord};

pub(crate) fn millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

/// A transcript as its readers see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TranscriptView {
    pub(crate) id: Uuid,
    pub(crate) meeting_id: Uuid,
    pub(crate) meeting_title: String,
    pub(crate) owner_id: Uuid,
    pub(crate) status: TranscriptStatus,
    /// `ko` or `en`.
    pub(crate) language: String,
    pub(crate) source: Source,
    pub(crate) meeting_date: DateTime<Utc>,
    pub(crate) sections: Vec<SectionView>,
    /// Users it was shared with besides the participants.
    pub(crate) shared_with: Vec<Uuid>,
    /// Why the transcript may be less than expected (e.g. speech-to-text failed and the notes
    /// were used instead).
    pub(crate) warnings: Vec<String>,
    /// The speech-to-text task, when the meeting had a recording.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) stt_task_id: Option<String>,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

/// One section: a speaker's turn or a paragraph of the notes.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct SectionView {
    pub(crate) index: u32,
    /// The speaker's name; `null` for text nobody was named for.
    pub(crate) speaker: Option<String>,
    /// The participant the speaker was matched to.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) speaker_id: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) start_ms: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) end_ms: Option<i64>,
    pub(crate) text: String,
    pub(crate) verified: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) verified_by: Option<Uuid>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) verified_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) edited_by: Option<Uuid>,
}

impl TranscriptView {
    pub(crate) fn new(t: TranscriptRecord, sections: Vec<SectionRecord>) -> Self {
        Self {
            id: t.id,
            meeting_id: t.meeting_id,
            meeting_title: t.meeting_title,
            owner_id: t.owner_id,
            status: t.status,
            language: t.language,
            source: t.source,
            meeting_date: millis(t.meeting_date),
            sections: sections
                .into_iter()
                .map(|s| SectionView {
                    index: s.index,
                    speaker: s.speaker,
                    speaker_id: s.speaker_id,
                    start_ms: s.start_ms,
                    end_ms: s.end_ms,
                    text: s.text,
                    verified: s.verified,
                    verified_by: s.verified_by,
                    verified_at: s.verified_at.map(millis),
                    edited_by: s.edited_by,
                })
                .collect(),
            shared_with: t.shared_with,
            warnings: t.warnings,
            stt_task_id: t.stt_task_id,
            created_at: millis(t.created_at),
            updated_at: millis(t.updated_at),
        }
    }
}

/// `GET /api/transcripts?meetingId=`.
#[derive(Debug, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(crate) struct ByMeeting {
    #[param(value_type = Uuid, required = true)]
    pub(crate) meeting_id: Option<String>,
}

/// `PUT /api/transcripts/{id}/sections/{index}`.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct CorrectBody {
    #[schema(schema_with = section_text)]
    pub(crate) text: String,
}

fn section_text() -> utoipa::openapi::Object {
    quorum_web::input::text_schema(crate::domain::SECTION_MAX_CHARS)
}

/// `POST /api/transcripts/{id}/share`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ShareBody {
    /// Registered users who may read the transcript.
    pub(crate) user_ids: Vec<Uuid>,
}
