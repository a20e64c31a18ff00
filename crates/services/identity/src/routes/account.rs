//! `POST /api/users/register`.

use axum::extract::State;
use axum::http::StatusCode;
use quorum_contracts::{events::USER_CREATED, exchanges};
use quorum_store::now_millis;
use quorum_web::{Json, Problem};
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::{Email, Name, Password};
use crate::error::ApiError;
use crate::events;
use crate::repository::users::{self, UserRecord};
use crate::strength;
use crate::views::{RegisterBody, Registered};

/// Creates an account. The e-mail is unique, case-insensitively (and after NFKC); the
/// password must be hard to guess.
#[utoipa::path(
    post, path = "/api/users/register", tag = "users",
    request_body = RegisterBody,
    responses(
        (status = 201, description = "Created", body = Registered),
        (status = 409, description = "The e-mail exists", body = Problem),
        (status = 422, description = "A field is invalid (`validation_failed`, the message names it) or the password is too easy to guess (`weak_password`, the message says why)", body = Problem),
    )
)]
#[tracing::instrument(skip_all)]
pub(crate) async fn register(
    State(state): State<AppState>,
    Json(body): Json<RegisterBody>,
) -> Result<(StatusCode, Json<Registered>), ApiError> {
    let email = Email::parse(&body.email)?;
    let password = Password::parse(&body.password)?;
    let name = Name::parse(&body.name)?;
    strength::check(&password, &[name.as_str(), email.as_str()])?;
    if users::email_exists(&state.db, &email.key()).await? {
        return Err(ApiError::EmailTaken);
    }
    let now = now_millis();
    let user = UserRecord {
        id: Uuid::now_v7().to_string(),
        email: email.as_str().to_owned(),
        name: name.as_str().to_owned(),
        locale: None,
        time_zone: None,
        password_hash: state.hasher.hash(password.expose()).await?,
        created_at: now,
        updated_at: now,
    };
    let mut tx = state.db.begin().await?;
    users::insert(&mut tx, &user, &email.key())
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                ApiError::EmailTaken
            } else {
                e.into()
            }
        })?;
    let event = events::user_changed(USER_CREATED, &user)?;
    state
        .outbox
        .enqueue(&mut tx, exchanges::USER, &event)
        .await?;
    state.commit(tx).await?;
    tracing::info!(user = %user.id, "user registered");
    let view = Registered {
        id: user.id,
        email: user.email,
        name: user.name,
    };
    Ok((StatusCode::CREATED, Json(view)))
}
