//! An upload's checks and its storage, for `POST /api/meetings/{id}/recording`
//! (`recordings.rs`): who may send it as whose track, what the audio may be (the limits of
//! `quorum_audio` and `crate::quota`), and the transaction that records it with its charge.

use axum::extract::Multipart;
use quorum_store::now_millis;
use quorum_web::{parse_id, TypedId};
use uuid::Uuid;

use crate::app::{authorize, AppState, Who};
use crate::domain::{Action, MeetingId, MeetingStatus, ValidationError};
use crate::error::ApiError;
use crate::events;
use crate::quota;
use crate::recording::{self, Received};
use crate::repository::{self, recordings, recordings::RecordingRecord};
use crate::views::RecordingView;

use super::recordings::MULTIPART_SLACK;

/// What a participant who is not the owner is refused, completing "only the meeting's owner
/// may …".
const ATTRIBUTE: &str = "upload a recording as another participant's track";

/// An admitted upload: who sends it, for which meeting, as whose track.
pub(super) struct Upload {
    meeting: MeetingId,
    caller: Uuid,
    owner: Uuid,
    speaker: Uuid,
    /// Whether `speaker` was named (query or form) rather than defaulted to the caller.
    speaker_given: bool,
    participants: Vec<Uuid>,
    id: Uuid,
}

impl Upload {
    /// Checks everything knowable before the body: 404 when the caller does not take part,
    /// 409 when cancelled, 403 when a participant names someone else as the speaker, 422 when
    /// `speaker` is not a participant, 413 from the length, 429 when the caller's quota is
    /// used up.
    pub(super) async fn admit(
        state: &AppState,
        caller: Uuid,
        raw_id: &str,
        speaker: Option<Uuid>,
        declared: Option<u64>,
        multipart: bool,
    ) -> Result<Self, ApiError> {
        let meeting = MeetingId::from(parse_id(raw_id, MeetingId::WHAT)?);
        let (record, participants) = state.visible(caller, meeting).await?;
        record.status.apply(Action::Record)?;
        let max = state.recordings.max_bytes();
        let allowed = if multipart {
            max.saturating_add(MULTIPART_SLACK)
        } else {
            max
        };
        if declared.is_some_and(|n| n > allowed) {
            return Err(ApiError::RecordingTooLarge(max));
        }
        let mut upload = Self {
            meeting,
            caller,
            owner: record.owner_id,
            speaker: caller,
            speaker_given: false,
            participants: participants.into_iter().map(|p| p.user_id).collect(),
            id: Uuid::now_v7(),
        };
        if let Some(speaker) = speaker {
            upload.speak_as(speaker)?;
        }
        let mut conn = state.db.reader().acquire().await?;
        state
            .rules
            .check(&mut conn, caller, quota::Charge::ANY, now_millis())
            .await?;
        Ok(upload)
    }

    /// The track is `speaker`'s: the caller's own, or anyone's when the owner says so.
    fn speak_as(&mut self, speaker: Uuid) -> Result<(), ApiError> {
        if speaker != self.caller && self.caller != self.owner {
            return Err(ApiError::NotOwner(ATTRIBUTE));
        }
        if !self.participants.contains(&speaker) {
            return Err(ApiError::NotParticipant(speaker));
        }
        self.speaker = speaker;
        self.speaker_given = true;
        Ok(())
    }

    pub(super) async fn raw(
        self,
        state: &AppState,
        body: &mut axum::body::BodyDataStream,
        declared: Option<u64>,
    ) -> Result<RecordingView, ApiError> {
        let received = state
            .recordings
            .receive(self.meeting.as_uuid(), self.id, body)
            .await?;
        if let Some(n) = declared.filter(|n| *n != received.size) {
            return Err(ApiError::UploadInterrupted(format!(
                "received {} of the {n} bytes announced by Content-Length",
                received.size
            )));
        }
        self.store(state, received).await
    }

    pub(super) async fn multipart(
        mut self,
        state: &AppState,
        multipart: &mut Multipart,
    ) -> Result<RecordingView, ApiError> {
        let mut received: Option<Received> = None;
        while let Some(mut field) = multipart
            .next_field()
            .await
            .map_err(recording::multipart_error)?
        {
            let name = field.name().unwrap_or_default().to_owned();
            match name.as_str() {
                "file" if received.is_some() => {
                    return Err(ValidationError("send one `file` per upload".into()).into());
                }
                "file" => {
                    let meeting = self.meeting.as_uuid();
                    received = Some(
                        state
                            .recordings
                            .receive(meeting, self.id, &mut field)
                            .await?,
                    );
                }
                "participantId" => {
                    let speaker = uuid_field(&mut field).await?;
                    if self.speaker_given && self.speaker != speaker {
                        return Err(ApiError::BadRequest(
                            "`participantId` differs between the query and the form".into(),
                        ));
                    }
                    self.speak_as(speaker)?;
                }
                _ => {} // other fields are skipped by the next `next_field`
            }
        }
        let received = received.ok_or_else(|| {
            ValidationError("a multipart upload needs a `file` field with the audio".into())
        })?;
        self.store(state, received).await
    }

    /// Decodes the file to check and measure it, then moves it into place and records it.
    /// The last step runs as its own task so a client that goes away cannot interrupt it
    /// half-way; it either commits the row with the file kept or removes the file.
    async fn store(self, state: &AppState, received: Received) -> Result<RecordingView, ApiError> {
        let path = received.file.path().to_owned();
        let limits = state.rules.limits();
        let probe = tokio::task::spawn_blocking(move || quorum_audio::probe_within(&path, limits))
            .await
            .map_err(|e| ApiError::File(std::io::Error::other(e)))??;
        let state = state.clone();
        let task = tokio::spawn(async move { self.finalize(&state, received, probe).await });
        task.await
            .map_err(|e| ApiError::File(std::io::Error::other(e)))?
    }

    async fn finalize(
        self,
        state: &AppState,
        received: Received,
        probe: quorum_audio::Probe,
    ) -> Result<RecordingView, ApiError> {
        let Received {
            mut file,
            size,
            sha256,
        } = received;
        let format = probe.format.as_str();
        file.rename(&format!("{}.{format}", self.id)).await?;
        let now = now_millis();
        let record = RecordingRecord {
            id: self.id,
            meeting_id: self.meeting.as_uuid(),
            participant_id: self.speaker,
            uploaded_by: self.caller,
            format: format.to_string(),
            size_bytes: i64::try_from(size).unwrap_or(i64::MAX),
            sha256,
            duration_ms: i64::try_from(probe.duration_ms).unwrap_or(i64::MAX),
            path: file.path().to_string_lossy().into_owned(),
            created_at: now,
        };
        let mut tx = state.db.begin().await?;
        // Serializes with `end`: whichever commits second sees the other's write, so every
        // recording is in `meeting.ended` or has its own `meeting.recording_added`.
        repository::touch(&mut tx, self.meeting.as_uuid()).await?;
        let (meeting, participants) =
            authorize(&mut tx, self.caller, self.meeting, Who::Participant).await?;
        meeting.status.apply(Action::Record)?;
        if !participants.contains(&self.speaker) {
            return Err(ApiError::NotParticipant(self.speaker));
        }
        let after_end = matches!(
            meeting.status,
            MeetingStatus::Ended | MeetingStatus::MinutesReady
        );
        // After the end, this upload has every track of the meeting transcribed again.
        let others = if after_end {
            recordings::total_duration_of(&mut tx, self.meeting.as_uuid()).await?
        } else {
            0
        };
        let charge = quota::Charge {
            ms: probe.duration_ms.saturating_add(others),
            whole_meeting: after_end,
        };
        quota::lock_user(&mut tx, self.caller).await?;
        state.rules.check(&mut tx, self.caller, charge, now).await?;
        recordings::insert(&mut tx, &record).await?;
        quota::charge(&mut tx, self.caller, self.id, charge.ms, now).await?;
        if after_end {
            events::recording_added(&state.outbox, &mut tx, &meeting, &participants, now).await?;
        }
        tx.commit().await?;
        file.keep();
        if after_end {
            state.outbox.committed();
        }
        tracing::info!(meeting = %self.meeting, recording = %self.id, format, size, "recording stored");
        Ok(RecordingView::from(record))
    }
}

/// A short text field holding a UUID (read in bounded chunks, never the whole field).
async fn uuid_field(field: &mut axum::extract::multipart::Field<'_>) -> Result<Uuid, ApiError> {
    const MAX: usize = 64;
    let mut text = Vec::new();
    while let Some(chunk) = field.chunk().await.map_err(recording::multipart_error)? {
        text.extend_from_slice(&chunk);
        if text.len() > MAX {
            return Err(ValidationError("`participantId` must be a UUID".into()).into());
        }
    }
    let text = String::from_utf8_lossy(&text);
    Uuid::parse_str(text.trim()).map_err(|_| {
        ValidationError(format!(
            "`participantId` `{}` is not a valid UUID",
            text.trim()
        ))
        .into()
    })
}
