//! `GET/PUT/DELETE /api/users/me` and `GET /api/users/{id}` (cache-aside reads, evicted
//! after every write).

use axum::extract::State;
use axum::http::{HeaderMap, StatusCode};
use quorum_contracts::events::USER_UPDATED;
use quorum_contracts::exchanges;
use quorum_store::now_millis;
use quorum_web::{CurrentUser, Json, PathId, Problem};

quorum_web::typed_id!(pub(crate) UserId, "user id");

use crate::app::AppState;
use crate::domain::{parse_locale, parse_time_zone, Email, Name};
use crate::error::ApiError;
use crate::repository::users;
use crate::views::{ConfirmEmail, PeopleFound, PublicUserView, UpdateMe, UpdatedMe, UserView};
use crate::{credentials, email_change, events, revoke, sessions};

/// The caller's profile.
#[utoipa::path(
    get, path = "/api/users/me", tag = "users", security(("bearer" = [])),
    responses(
        (status = 200, description = "The caller's profile", body = UserView),
        (status = 401, description = "Not signed in", body = Problem),
        (status = 404, description = "The account was deleted", body = Problem),
    )
)]
pub(crate) async fn get_me(
    State(state): State<AppState>,
    caller: CurrentUser,
) -> Result<Json<UserView>, ApiError> {
    Ok(Json(state.profile(&caller.0.to_string()).await?))
}

/// Changes the caller's name, e-mail, locale (`ko`/`en`) or time zone (an IANA name; `""`
/// returns to the server's). A new e-mail needs `currentPassword`; when the server sends
/// e-mail, it takes effect once the code mailed to it is confirmed
/// (`POST /api/users/me/email/confirm`), and the answer names it as `pendingEmail`.
#[utoipa::path(
    put, path = "/api/users/me", tag = "users", security(("bearer" = [])),
    request_body = UpdateMe,
    responses(
        (status = 200, description = "The updated profile (with `pendingEmail` while a new address waits for its code)", body = UpdatedMe),
        (status = 401, description = "Not signed in", body = Problem),
        (status = 403, description = "`currentPassword` is not the account's password", body = Problem),
        (status = 404, description = "The account was deleted", body = Problem),
        (status = 409, description = "The new e-mail belongs to another account", body = Problem),
        (status = 422, description = "A field is invalid, or `currentPassword` is missing for a new e-mail", body = Problem),
        (status = 429, description = "Too many wrong passwords for this account (`Retry-After`)", body = Problem),
    )
)]
#[tracing::instrument(skip_all, fields(user = %caller.0))]
pub(crate) async fn update_me(
    State(state): State<AppState>,
    caller: CurrentUser,
    Json(body): Json<UpdateMe>,
) -> Result<Json<UpdatedMe>, ApiError> {
    let name = body.name.as_deref().map(Name::parse).transpose()?;
    let email = body.email.as_deref().map(Email::parse).transpose()?;
    let locale = body.locale.as_deref().map(parse_locale).transpose()?;
    let time_zone = match body.time_zone.as_deref().map(str::trim) {
        None => None,
        Some("") => Some(None),
        Some(zone) => Some(Some(parse_time_zone(zone)?)),
    };
    let id = caller.0.to_string();
    // A new address (not the same one in another case) needs the password first.
    let current = users::find_by_id(&state.db, &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(id.clone()))?;
    let email = email.filter(|e| e.key() != current.email.to_lowercase());
    if email.is_some() {
        email_change::reauthenticate(&state, &current, body.current_password.as_deref()).await?;
    }
    let confirm = state.settings.confirm_email_changes;
    if let Some(new) = email.as_ref().filter(|_| confirm) {
        if users::email_exists(&state.db, &new.key()).await? {
            return Err(ApiError::EmailTaken);
        }
    }
    let mut tx = state.db.begin().await?;
    let mut user = users::find_for_update(&mut tx, &id)
        .await?
        .ok_or_else(|| ApiError::NotFound(id.clone()))?;
    if let Some(name) = name {
        user.name = name.as_str().to_owned();
    }
    let mut pending_email = None;
    match &email {
        Some(new) if confirm => {
            email_change::stage(&state, &mut tx, &user, new).await?;
            pending_email = Some(new.as_str().to_owned());
        }
        Some(new) => user.email = new.as_str().to_owned(),
        None => {}
    }
    if let Some(locale) = locale {
        user.locale = Some(locale);
    }
    if let Some(zone) = time_zone {
        user.time_zone = zone;
    }
    user.updated_at = now_millis();
    let key = credentials::account_key(&user.email);
    users::update(&mut tx, &user, &key).await.map_err(|e| {
        if e.is_unique_violation() {
            ApiError::EmailTaken
        } else {
            e.into()
        }
    })?;
    let event = events::user_changed(USER_UPDATED, &user)?;
    state
        .outbox
        .enqueue(&mut tx, exchanges::USER, &event)
        .await?;
    state.commit(tx).await?;
    state.profiles.evict(&id).await;
    Ok(Json(UpdatedMe {
        user: UserView::from(&user),
        pending_email,
    }))
}

/// Applies the pending change of the caller's e-mail address: `code` is the one sent to the
/// new address. Five wrong codes, or `identity.email_change_ttl_secs`, void the request.
#[utoipa::path(
    post, path = "/api/users/me/email/confirm", tag = "users", security(("bearer" = [])),
    request_body = ConfirmEmail,
    responses(
        (status = 200, description = "The new address is the account's", body = UserView),
        (status = 401, description = "Not signed in", body = Problem),
        (status = 409, description = "Another account took the address meanwhile", body = Problem),
        (status = 422, description = "No pending change matches the code", body = Problem),
    )
)]
#[tracing::instrument(skip_all, fields(user = %caller.0))]
pub(crate) async fn confirm_email(
    State(state): State<AppState>,
    caller: CurrentUser,
    Json(body): Json<ConfirmEmail>,
) -> Result<Json<UserView>, ApiError> {
    let user = email_change::confirm(&state, &caller.0.to_string(), &body.code).await?;
    Ok(Json(UserView::from(&user)))
}

/// Deletes the caller's account: every refresh family is revoked, and so is the access token
/// the request carries.
#[utoipa::path(
    delete, path = "/api/users/me", tag = "users", security(("bearer" = [])),
    responses(
        (status = 204, description = "Deleted"),
        (status = 401, description = "Not signed in", body = Problem),
        (status = 404, description = "Already deleted", body = Problem),
    )
)]
#[tracing::instrument(skip_all, fields(user = %caller.0))]
pub(crate) async fn delete_me(
    State(state): State<AppState>,
    caller: CurrentUser,
    headers: HeaderMap,
) -> Result<StatusCode, ApiError> {
    let id = caller.0.to_string();
    // The token, when present and valid, is revoked with the account.
    let claims = super::bearer(&headers)
        .ok()
        .and_then(|token| sessions::verify_own(&state, token, caller.0).ok());
    let mut tx = state.db.begin().await?;
    if users::delete(&mut tx, &id).await? == 0 {
        return Err(ApiError::NotFound(id));
    }
    revoke::every_session(&state, &mut tx, &id).await?;
    let event = events::user_deleted(caller.0)?;
    state
        .outbox
        .enqueue(&mut tx, exchanges::USER, &event)
        .await?;
    if let Some(claims) = &claims {
        revoke::access(&state, &mut tx, claims).await?;
    }
    state.commit(tx).await?;
    state.profiles.evict(&id).await;
    tracing::info!("user deleted");
    Ok(StatusCode::NO_CONTENT)
}

/// A user's public profile.
#[utoipa::path(
    get, path = "/api/users/{id}", tag = "users", security(("bearer" = [])),
    params(("id" = uuid::Uuid, Path, description = "User id")),
    responses(
        (status = 200, description = "The public profile", body = PublicUserView),
        (status = 400, description = "The id is not a UUID", body = Problem),
        (status = 401, description = "Not signed in", body = Problem),
        (status = 404, description = "No such user", body = Problem),
    )
)]
pub(crate) async fn get_user(
    State(state): State<AppState>,
    _caller: CurrentUser,
    PathId(id): PathId<UserId>,
) -> Result<Json<PublicUserView>, ApiError> {
    let user = state.profile(&id.to_string()).await?;
    Ok(Json(PublicUserView {
        id: user.id,
        name: user.name,
    }))
}

/// `GET /api/users/lookup` query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub(crate) struct Lookup {
    /// The exact e-mail address (case-insensitive) of the person to find.
    #[param(format = Email, max_length = 254)]
    email: String,
}

/// Finds a user by exact e-mail address, to invite them: their id and name, never a list and
/// never the address of anyone the caller did not name. 404 when no account has it.
#[utoipa::path(
    get, path = "/api/users/lookup", tag = "users", security(("bearer" = [])),
    params(Lookup),
    responses(
        (status = 200, description = "The person with this address", body = PublicUserView),
        (status = 401, description = "Not signed in", body = Problem),
        (status = 404, description = "No account has this address", body = Problem),
        (status = 422, description = "Not an e-mail address", body = Problem),
    )
)]
pub(crate) async fn lookup(
    State(state): State<AppState>,
    _caller: CurrentUser,
    quorum_web::Query(query): quorum_web::Query<Lookup>,
) -> Result<Json<PublicUserView>, ApiError> {
    let email = Email::parse(&query.email)?;
    let user = users::find_by_email(&state.db, &email.key())
        .await?
        .ok_or_else(|| ApiError::NotFound(email.as_str().to_owned()))?;
    Ok(Json(PublicUserView {
        id: user.id,
        name: user.name,
    }))
}

/// `GET /api/users/search` query.
#[derive(Debug, serde::Deserialize, utoipa::IntoParams)]
pub(crate) struct Search {
    /// Part of a name (at least two characters; case does not matter).
    #[param(schema_with = two_characters)]
    q: String,
}

fn two_characters() -> utoipa::openapi::Object {
    quorum_web::input::min_chars_schema(2)
}

/// The most people one search answers.
const SEARCH_LIMIT: i64 = 10;

/// Finds people by part of their name, to invite them: ids and names only (a name is what
/// anyone signed in may see of a user; an e-mail address never is). At most ten, in name
/// order, the caller left out.
#[utoipa::path(
    get, path = "/api/users/search", tag = "users", security(("bearer" = [])),
    params(Search),
    responses(
        (status = 200, description = "Up to ten people whose name contains `q`", body = PeopleFound),
        (status = 401, description = "Not signed in", body = Problem),
        (status = 422, description = "`q` is shorter than two characters", body = Problem),
    )
)]
pub(crate) async fn search(
    State(state): State<AppState>,
    caller: CurrentUser,
    quorum_web::Query(query): quorum_web::Query<Search>,
) -> Result<Json<PeopleFound>, ApiError> {
    let q = query.q.trim();
    if q.chars().count() < 2 {
        return Err(
            crate::domain::invalid("q", "must be at least two characters of a name").into(),
        );
    }
    let found = users::search_by_name(&state.db, q, &caller.0.to_string(), SEARCH_LIMIT).await?;
    Ok(Json(PeopleFound {
        items: found
            .into_iter()
            .map(|(id, name)| PublicUserView { id, name })
            .collect(),
    }))
}
