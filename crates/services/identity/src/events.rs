//! Events written through the transactional outbox on `user.events`.

use chrono::Utc;
use quorum_bus::{BusError, Envelope};
use quorum_contracts::events::{
    self, EmailChangeRequested, TokenRevoked, UserChanged, UserDeleted,
};
use quorum_contracts::SCHEMA_VERSION;
use uuid::Uuid;

use crate::error::ApiError;
use crate::repository::users::UserRecord;

const SOURCE: &str = "quorum/identity";

fn parse_id(id: &str) -> Result<Uuid, ApiError> {
    Uuid::parse_str(id).map_err(|_| ApiError::corrupt(format!("user id `{id}` is not a UUID")))
}

/// `user.created` or `user.updated`.
pub(crate) fn user_changed(kind: &str, user: &UserRecord) -> Result<Envelope, ApiError> {
    let data = UserChanged {
        user_id: parse_id(&user.id)?,
        email: user.email.clone(),
        name: user.name.clone(),
        locale: user.locale.clone(),
        occurred_at: Utc::now(),
    };
    Ok(Envelope::new(
        kind,
        SOURCE,
        Some(user.id.clone()),
        SCHEMA_VERSION,
        &data,
    )?)
}

pub(crate) fn user_deleted(user_id: Uuid) -> Result<Envelope, BusError> {
    let data = UserDeleted {
        user_id,
        occurred_at: Utc::now(),
    };
    Envelope::new(
        events::USER_DELETED,
        SOURCE,
        Some(user_id.to_string()),
        SCHEMA_VERSION,
        &data,
    )
}

/// `auth.email_change_requested`: the code for `email` goes to that address.
pub(crate) fn email_change_requested(
    user: &UserRecord,
    email: &str,
    code: &str,
    expires_at: chrono::DateTime<Utc>,
) -> Result<Envelope, ApiError> {
    let data = EmailChangeRequested {
        user_id: parse_id(&user.id)?,
        email: email.to_owned(),
        name: user.name.clone(),
        locale: user.locale.clone(),
        code: code.to_owned(),
        expires_at,
        occurred_at: Utc::now(),
    };
    Ok(Envelope::new(
        events::AUTH_EMAIL_CHANGE_REQUESTED,
        SOURCE,
        Some(user.id.clone()),
        SCHEMA_VERSION,
        &data,
    )?)
}

/// `auth.token_revoked`: `jti` is a token id, or `sid:<session>` for a whole session.
pub(crate) fn token_revoked(
    jti: &str,
    user_id: Uuid,
    expires_at: chrono::DateTime<Utc>,
) -> Result<Envelope, BusError> {
    let data = TokenRevoked {
        jti: jti.to_owned(),
        user_id,
        expires_at,
        occurred_at: Utc::now(),
    };
    Envelope::new(
        events::AUTH_TOKEN_REVOKED,
        SOURCE,
        Some(user_id.to_string()),
        SCHEMA_VERSION,
        &data,
    )
}
