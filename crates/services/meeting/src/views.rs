//! Request and response bodies (camelCase JSON), with their OpenAPI schemas.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use uuid::Uuid;

use crate::domain::{title_schema, MeetingStatus};
use crate::repository::recordings::RecordingRecord;
use crate::repository::{MeetingRecord, Participant};

/// A meeting as clients see it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct MeetingView {
    pub(crate) id: Uuid,
    pub(crate) title: String,
    pub(crate) status: MeetingStatus,
    pub(crate) owner_id: Uuid,
    pub(crate) scheduled_at: DateTime<Utc>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) started_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) ended_at: Option<DateTime<Utc>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) agenda: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) notes: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub(crate) template_id: Option<String>,
    pub(crate) participants: Vec<ParticipantView>,
    pub(crate) progress: Progress,
    pub(crate) created_at: DateTime<Utc>,
    pub(crate) updated_at: DateTime<Utc>,
}

/// A participant: id and name (empty for a user who has since been deleted). Never an
/// e-mail address: participants may be invited by id or name, and a user's address is shown
/// to no one but that user (docs/security.md, "Privacy model").
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ParticipantView {
    pub(crate) user_id: Uuid,
    pub(crate) name: String,
}

/// Action items of the meeting: done and total.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema)]
pub(crate) struct Progress {
    pub(crate) completed: i64,
    pub(crate) total: i64,
}

pub(crate) fn millis(ms: i64) -> DateTime<Utc> {
    DateTime::from_timestamp_millis(ms).unwrap_or_default()
}

impl MeetingView {
    pub(crate) fn new(m: MeetingRecord, participants: Vec<Participant>) -> Self {
        Self {
            id: m.id,
            title: m.title,
            status: m.status,
            owner_id: m.owner_id,
            scheduled_at: millis(m.scheduled_at),
            started_at: m.started_at.map(millis),
            ended_at: m.ended_at.map(millis),
            agenda: m.agenda,
            notes: m.notes,
            template_id: m.template_id,
            participants: participants
                .into_iter()
                .map(|p| ParticipantView {
                    user_id: p.user_id,
                    name: p.name,
                })
                .collect(),
            progress: Progress {
                completed: m.progress_completed,
                total: m.progress_total,
            },
            created_at: millis(m.created_at),
            updated_at: millis(m.updated_at),
        }
    }
}

/// `POST /api/meetings`.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct CreateMeeting {
    #[schema(schema_with = title)]
    pub(crate) title: String,
    /// RFC 3339, e.g. `2025-03-01T09:00:00+09:00`.
    #[schema(format = DateTime)]
    pub(crate) scheduled_at: String,
    /// Registered users to invite; the caller is always added.
    #[serde(default)]
    #[schema(max_items = 199)] // MAX_PARTICIPANTS besides the owner
    pub(crate) participant_ids: Vec<Uuid>,
    /// Markdown. When absent and `templateId` is given, the template's sections.
    #[schema(max_length = 20000)] // AGENDA_MAX_CHARS
    pub(crate) agenda: Option<String>,
    pub(crate) template_id: Option<String>,
}

/// `PUT /api/meetings/{id}`: the fields given are replaced, the others kept.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct UpdateMeeting {
    #[schema(schema_with = title_or_null)]
    pub(crate) title: Option<String>,
    #[schema(format = DateTime)]
    pub(crate) scheduled_at: Option<String>,
    /// Markdown; an empty string removes the agenda.
    #[schema(max_length = 20000)] // AGENDA_MAX_CHARS
    pub(crate) agenda: Option<String>,
    /// The new participant list; the owner always stays.
    #[schema(max_items = 199)] // MAX_PARTICIPANTS besides the owner
    pub(crate) participant_ids: Option<Vec<Uuid>>,
}

/// The documented body of `PUT /api/meetings/{id}`: [`UpdateMeeting`] with at least one
/// field given (an update that changes nothing is a 422).
pub(crate) struct UpdateMeetingBody;

impl utoipa::PartialSchema for UpdateMeetingBody {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::Schema> {
        let fields = ["title", "scheduledAt", "agenda", "participantIds"];
        let fields_schema = <UpdateMeeting as utoipa::PartialSchema>::schema();
        quorum_web::input::at_least_one_of(fields_schema, &fields, &[]).into()
    }
}

impl ToSchema for UpdateMeetingBody {
    fn name() -> std::borrow::Cow<'static, str> {
        "UpdateMeeting".into()
    }
}

fn title() -> utoipa::openapi::Object {
    title_schema(false)
}

fn title_or_null() -> utoipa::openapi::Object {
    title_schema(true)
}

/// `PUT /api/meetings/{id}/notes`.
#[derive(Debug, Deserialize, ToSchema)]
pub(crate) struct NotesBody {
    /// Markdown; lines like `Name: text` attribute speech. Empty clears the notes.
    #[schema(max_length = 200000)] // NOTES_MAX_CHARS
    pub(crate) notes: String,
}

/// `POST /api/meetings/{id}/end` (the body is optional).
#[derive(Debug, Default, Deserialize, ToSchema)]
pub(crate) struct EndBody {
    /// Final notes; replaces the stored notes when given.
    #[schema(max_length = 200000)] // NOTES_MAX_CHARS
    pub(crate) notes: Option<String>,
}

/// `GET /api/meetings` filter.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub(crate) struct ListFilter {
    /// SCHEDULED, IN_PROGRESS, ENDED, MINUTES_READY or CANCELLED.
    #[param(value_type = Option<MeetingStatus>)]
    pub(crate) status: Option<String>,
}

/// Text in both supported languages.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
pub(crate) struct Localized {
    pub(crate) ko: String,
    pub(crate) en: String,
}

/// A meeting template.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct TemplateView {
    pub(crate) id: String,
    pub(crate) name: Localized,
    pub(crate) description: Localized,
    pub(crate) agenda_sections: Vec<Localized>,
    pub(crate) duration_minutes: i64,
}

impl TemplateView {
    /// The sections as a markdown agenda in `lang` (`ko` or `en`).
    pub(crate) fn agenda_markdown(&self, lang: &str) -> String {
        let title = |l: &Localized| {
            if lang == "ko" {
                l.ko.clone()
            } else {
                l.en.clone()
            }
        };
        self.agenda_sections
            .iter()
            .map(|s| format!("## {}\n", title(s)))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// OpenAPI shape of `quorum_web::Page<MeetingView>` (documentation only).
#[derive(ToSchema)]
#[allow(dead_code)] // never constructed: it only describes the list response
pub(crate) struct MeetingPage {
    items: Vec<MeetingView>,
    page: u32,
    size: u32,
    total: u64,
}

/// An uploaded recording (one track).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub(crate) struct RecordingView {
    pub(crate) id: Uuid,
    pub(crate) meeting_id: Uuid,
    /// The speaker of the whole track (the uploader unless `participantId` was given).
    pub(crate) participant_id: Uuid,
    /// `wav`, `flac`, `mp3`, `ogg`, `m4a` or `webm`.
    pub(crate) format: String,
    pub(crate) size_bytes: u64,
    /// Hex SHA-256 of the stored file.
    pub(crate) sha256: String,
    pub(crate) duration_ms: u64,
    pub(crate) created_at: DateTime<Utc>,
}

impl From<RecordingRecord> for RecordingView {
    fn from(r: RecordingRecord) -> Self {
        Self {
            id: r.id,
            meeting_id: r.meeting_id,
            participant_id: r.participant_id,
            format: r.format,
            size_bytes: u64::try_from(r.size_bytes).unwrap_or(0),
            sha256: r.sha256,
            duration_ms: u64::try_from(r.duration_ms).unwrap_or(0),
            created_at: millis(r.created_at),
        }
    }
}

/// `POST /api/meetings/{id}/recording` query.
#[derive(Debug, Default, Deserialize, IntoParams)]
#[serde(rename_all = "camelCase")]
#[into_params(parameter_in = Query)]
pub(crate) struct UploadParams {
    /// The participant who speaks on this track; default the uploader.
    pub(crate) participant_id: Option<Uuid>,
}

/// `multipart/form-data` upload (documentation only; the body is streamed, never built).
#[derive(ToSchema)]
#[serde(rename_all = "camelCase")]
#[allow(dead_code)] // never constructed: it only describes the request body
pub(crate) struct UploadForm {
    /// The audio file (WAV, FLAC, MP3, Ogg, M4A or WebM).
    #[schema(value_type = String, format = Binary)]
    file: Vec<u8>,
    /// The participant who speaks on this track; default the uploader.
    participant_id: Option<Uuid>,
}

/// A raw audio body (documentation only).
#[derive(ToSchema)]
#[schema(value_type = String, format = Binary)]
#[allow(dead_code)] // never constructed: it only describes the request body
pub(crate) struct AudioBody(Vec<u8>);

/// OpenAPI shape of `quorum_web::Page<RecordingView>` (documentation only).
#[derive(ToSchema)]
#[allow(dead_code)] // never constructed: it only describes the list response
pub(crate) struct RecordingPage {
    items: Vec<RecordingView>,
    page: u32,
    size: u32,
    total: u64,
}
