//! Create, list, read, edit and delete meetings.

use axum::extract::State;
use axum::http::{header, HeaderMap, StatusCode};
use quorum_contracts::events::MEETING_CREATED;
use quorum_store::now_millis;
use quorum_web::{CurrentUser, Json, Page, PageParams, PathId, Query};
use uuid::Uuid;

use crate::app::{authorize, AppState, Who};
use crate::domain::{
    parse_scheduled_at, Action, Agenda, MeetingId, MeetingStatus, Title, ValidationError,
};
use crate::error::ApiError;
use crate::events;
use crate::repository::{self, recordings, MeetingRecord};
use crate::views::{CreateMeeting, ListFilter, MeetingView, UpdateMeeting};

/// Most participants one meeting may have.
pub(crate) const MAX_PARTICIPANTS: usize = 200;

/// `owner` first, then `ids` in order, without duplicates; bounded.
fn participant_list(owner: Uuid, ids: &[Uuid]) -> Result<Vec<Uuid>, ApiError> {
    let mut all = vec![owner];
    for id in ids {
        if !all.contains(id) {
            all.push(*id);
        }
    }
    if all.len() > MAX_PARTICIPANTS {
        return Err(ValidationError(format!(
            "`participantIds` may name at most {} users besides the owner",
            MAX_PARTICIPANTS - 1
        ))
        .into());
    }
    Ok(all)
}

/// 422 naming every participant the directory does not know (the owner is not checked: the
/// gateway vouches for the caller even before the directory hears of them).
async fn check_known(
    conn: &mut quorum_store::sqlx::AnyConnection,
    owner: Uuid,
    users: &[Uuid],
) -> Result<(), ApiError> {
    let others: Vec<Uuid> = users.iter().copied().filter(|u| *u != owner).collect();
    let unknown = quorum_directory::unknown(conn, &others).await?;
    if unknown.is_empty() {
        return Ok(());
    }
    let names: Vec<String> = unknown.iter().map(Uuid::to_string).collect();
    Err(ApiError::UnknownParticipants(names.join(", ")))
}

/// `ko` when the client prefers Korean, else `en` (template agendas).
fn language(headers: &HeaderMap) -> &'static str {
    let accept = headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if accept.trim_start().to_ascii_lowercase().starts_with("ko") {
        "ko"
    } else {
        "en"
    }
}

/// Schedules a meeting; the caller becomes its owner and first participant.
#[utoipa::path(
    post, path = "/api/meetings", tag = "meetings", request_body = CreateMeeting,
    responses(
        (status = 201, body = MeetingView),
        (status = 401, body = quorum_web::Problem),
        (status = 422, description = "invalid field, unknown participant or template", body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller))]
pub(crate) async fn create(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    headers: HeaderMap,
    Json(body): Json<CreateMeeting>,
) -> Result<(StatusCode, Json<MeetingView>), ApiError> {
    let title = Title::parse(&body.title)?;
    let scheduled_at = parse_scheduled_at(&body.scheduled_at)?;
    let mut agenda = Agenda::parse(body.agenda.as_deref())?.into_inner();
    let participants = participant_list(caller, &body.participant_ids)?;

    let mut tx = state.db.begin().await?;
    check_known(&mut tx, caller, &participants).await?;
    if let Some(template_id) = &body.template_id {
        let template = repository::template(&mut tx, template_id)
            .await?
            .ok_or_else(|| ApiError::UnknownTemplate(template_id.clone()))?;
        if agenda.is_none() {
            agenda = Some(template.agenda_markdown(language(&headers)));
        }
    }
    let now = now_millis();
    let id = MeetingId::new();
    let meeting = MeetingRecord {
        id: id.as_uuid(),
        title: title.into_inner(),
        status: MeetingStatus::Scheduled,
        owner_id: caller,
        scheduled_at: scheduled_at.timestamp_millis(),
        started_at: None,
        ended_at: None,
        agenda,
        notes: None,
        template_id: body.template_id,
        progress_completed: 0,
        progress_total: 0,
        created_at: now,
        updated_at: now,
    };
    repository::insert(&mut tx, &meeting, &participants).await?;
    events::changed(
        &state.outbox,
        &mut tx,
        MEETING_CREATED,
        &meeting,
        &participants,
    )
    .await?;
    tx.commit().await?;
    state.outbox.committed();
    tracing::info!(meeting = %id, "meeting created");
    Ok((StatusCode::CREATED, Json(state.view(caller, id).await?)))
}

/// Meetings the caller takes part in, most recently scheduled first.
#[utoipa::path(
    get, path = "/api/meetings", tag = "meetings", params(PageParams, ListFilter),
    responses(
        (status = 200, body = crate::views::MeetingPage),
        (status = 400, description = "bad `page`, `size` or `status`", body = quorum_web::Problem),
        (status = 401, body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller))]
pub(crate) async fn list(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    Query(page): Query<PageParams>,
    Query(filter): Query<ListFilter>,
) -> Result<Json<Page<MeetingView>>, ApiError> {
    let req = page.validate()?;
    let status = filter
        .status
        .as_deref()
        .map(str::parse::<MeetingStatus>)
        .transpose()
        .map_err(ApiError::BadRequest)?;
    let mut conn = state.db.reader().acquire().await?;
    let (records, total) =
        repository::list_for(&mut conn, caller, status, req.limit(), req.offset()).await?;
    drop(conn);
    let mut items = Vec::with_capacity(records.len());
    for m in records {
        let participants = state.participants(m.id).await?;
        items.push(MeetingView::new(m, participants));
    }
    Ok(Json(Page::new(items, req, total)))
}

/// One meeting, if the caller takes part in it.
#[utoipa::path(
    get, path = "/api/meetings/{id}", tag = "meetings",
    params(("id" = uuid::Uuid, Path, description = "meeting id")),
    responses(
        (status = 200, body = MeetingView),
        (status = 401, body = quorum_web::Problem),
        (status = 404, description = "unknown, or the caller does not take part", body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, meeting = %id))]
pub(crate) async fn get(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    PathId(id): PathId<MeetingId>,
) -> Result<Json<MeetingView>, ApiError> {
    Ok(Json(state.view(caller, id).await?))
}

/// Edits title, time, agenda or participants (owner only, while SCHEDULED or IN_PROGRESS).
#[utoipa::path(
    put, path = "/api/meetings/{id}", tag = "meetings", request_body = crate::views::UpdateMeetingBody,
    params(("id" = uuid::Uuid, Path, description = "meeting id")),
    responses(
        (status = 200, body = MeetingView),
        (status = 403, description = "the caller is not the owner", body = quorum_web::Problem),
        (status = 404, body = quorum_web::Problem),
        (status = 409, description = "the meeting is closed", body = quorum_web::Problem),
        (status = 422, body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, meeting = %id))]
pub(crate) async fn update(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    PathId(id): PathId<MeetingId>,
    Json(body): Json<UpdateMeeting>,
) -> Result<Json<MeetingView>, ApiError> {
    if body.title.is_none()
        && body.scheduled_at.is_none()
        && body.agenda.is_none()
        && body.participant_ids.is_none()
    {
        return Err(ValidationError(
            "give at least one of `title`, `scheduledAt`, `agenda`, `participantIds`".into(),
        )
        .into());
    }
    let title = body.title.as_deref().map(Title::parse).transpose()?;
    let scheduled_at = body
        .scheduled_at
        .as_deref()
        .map(parse_scheduled_at)
        .transpose()?;
    let agenda = body
        .agenda
        .as_deref()
        .map(|a| Agenda::parse(Some(a)))
        .transpose()?;

    let mut tx = state.db.begin().await?;
    let (mut meeting, _) = authorize(&mut tx, caller, id, Who::Owner("edit it")).await?;
    let current = meeting.status;
    current.apply(Action::Edit)?;
    if let Some(ids) = &body.participant_ids {
        let participants = participant_list(meeting.owner_id, ids)?;
        check_known(&mut tx, meeting.owner_id, &participants).await?;
        repository::replace_participants(&mut tx, id.as_uuid(), &participants, now_millis())
            .await?;
    }
    if let Some(t) = title {
        meeting.title = t.into_inner();
    }
    if let Some(t) = scheduled_at {
        meeting.scheduled_at = t.timestamp_millis();
    }
    if let Some(a) = agenda {
        meeting.agenda = a.into_inner();
    }
    meeting.updated_at = now_millis();
    if !repository::update(&mut tx, &meeting, current).await? {
        return Err(ApiError::Concurrent);
    }
    tx.commit().await?;
    state.evict(id.as_uuid()).await;
    Ok(Json(state.view(caller, id).await?))
}

/// Deletes the meeting and everything made from it (owner only, in any status): its
/// participants, recordings (and their files), and — once `meeting.deleted` reaches them —
/// its transcript, analyses, todos and the notifications about it in the other services.
#[utoipa::path(
    delete, path = "/api/meetings/{id}", tag = "meetings",
    params(("id" = uuid::Uuid, Path, description = "meeting id")),
    responses(
        (status = 204, description = "deleted; the other services follow within moments"),
        (status = 400, description = "malformed id", body = quorum_web::Problem),
        (status = 401, body = quorum_web::Problem),
        (status = 403, description = "the caller is not the owner", body = quorum_web::Problem),
        (status = 404, description = "unknown (or already deleted), or the caller does not take part", body = quorum_web::Problem),
    )
)]
#[tracing::instrument(skip_all, fields(caller = %caller, meeting = %id))]
pub(crate) async fn delete(
    State(state): State<AppState>,
    CurrentUser(caller): CurrentUser,
    PathId(id): PathId<MeetingId>,
) -> Result<StatusCode, ApiError> {
    let mut tx = state.db.begin().await?;
    // The row's lock first: a transition or a recording being stored commits before, or
    // finds the meeting gone after.
    repository::touch(&mut tx, id.as_uuid()).await?;
    let (meeting, participants) = authorize(&mut tx, caller, id, Who::Owner("delete it")).await?;
    let files: Vec<String> = recordings::all_of(&mut tx, id.as_uuid())
        .await?
        .into_iter()
        .map(|r| r.path)
        .collect();
    if !repository::delete(&mut tx, id.as_uuid()).await? {
        return Err(ApiError::NotFound(id.to_string()));
    }
    events::deleted(
        &state.outbox,
        &mut tx,
        &meeting,
        &participants,
        now_millis(),
    )
    .await?;
    tx.commit().await?;
    state.outbox.committed();
    state.evict(id.as_uuid()).await;
    // The service's own `meeting.deleted` removes them again if this fails (`cleanup.rs`).
    if let Err(e) = state.recordings.remove_meeting(id.as_uuid(), &files).await {
        tracing::warn!(meeting = %id, error = %e, "recordings not removed yet; the cleanup consumer retries");
    }
    tracing::info!(meeting = %id, recordings = files.len(), "meeting deleted");
    Ok(StatusCode::NO_CONTENT)
}
