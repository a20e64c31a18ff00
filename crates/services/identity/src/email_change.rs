//! Changing the account's e-mail address (`PUT /api/users/me` with `email`).
//!
//! The current password is asked for first ([`reauthenticate`], throttled like a sign-in):
//! an access token alone, copied from a browser, must not be enough to take the account
//! over by moving its address. Then, when the process can send e-mail
//! (`confirm_email_changes`, set from `notification.smtp.host`), the new address is only
//! *pending*: [`stage`] stores it with the hash of an 8-digit code and writes
//! `auth.email_change_requested` for the notification service, which mails the code to the
//! new address; [`confirm`] (`POST /api/users/me/email/confirm`) applies the change when
//! the caller enters that code within `email_change_ttl_secs`. Five wrong codes void the
//! request. Without e-mail the change takes effect at once, as it always did.

use chrono::Utc;
use quorum_contracts::events::USER_UPDATED;
use quorum_contracts::exchanges;
use quorum_store::{now_millis, Tx};
use rand::Rng as _;
use sha2::{Digest as _, Sha256};

use crate::app::AppState;
use crate::credentials;
use crate::domain::{invalid, Email};
use crate::error::ApiError;
use crate::events;
use crate::repository::email_changes::{self, Pending};
use crate::repository::users::{self, UserRecord};

/// Wrong codes after which a pending change is voided.
const MAX_ATTEMPTS: i64 = 5;

/// Refuses the change unless `current` is the account's password.
pub(crate) async fn reauthenticate(
    state: &AppState,
    user: &UserRecord,
    current: Option<&str>,
) -> Result<(), ApiError> {
    let Some(current) = current.filter(|p| !p.is_empty()) else {
        return Err(invalid(
            "currentPassword",
            "is needed to change the e-mail address (the account's password)",
        )
        .into());
    };
    let account = credentials::account_key(&user.email);
    if credentials::prove(state, &account, Some(user), current).await? {
        Ok(())
    } else {
        Err(ApiError::WrongPassword)
    }
}

/// Records `new` as the pending address of `user` and, in `tx`, the event that mails the
/// code to it.
pub(crate) async fn stage(
    state: &AppState,
    tx: &mut Tx,
    user: &UserRecord,
    new: &Email,
) -> Result<(), ApiError> {
    let code = format!("{:08}", rand::rngs::OsRng.gen_range(0..100_000_000u32));
    let ttl = i64::try_from(state.settings.email_change_ttl_secs).unwrap_or(i64::MAX / 2000);
    let now = now_millis();
    let pending = Pending {
        email: new.as_str().to_owned(),
        email_key: new.key(),
        code_hash: code_hash(&user.id, &code),
        attempts: 0,
        expires_at: now.saturating_add(ttl.saturating_mul(1000)),
    };
    email_changes::put(tx, &user.id, &pending, now).await?;
    let expires = Utc::now() + chrono::Duration::seconds(ttl);
    let event = events::email_change_requested(user, new.as_str(), &code, expires)?;
    state.outbox.enqueue(tx, exchanges::USER, &event).await?;
    tracing::info!(user = %user.id, "e-mail change waiting for the code sent to the new address");
    Ok(())
}

/// Applies the pending change of `user_id` when `code` is its code; returns the user.
pub(crate) async fn confirm(
    state: &AppState,
    user_id: &str,
    code: &str,
) -> Result<UserRecord, ApiError> {
    let mut tx = state.db.begin().await?;
    let Some(pending) = email_changes::find(&mut tx, user_id).await? else {
        return Err(ApiError::InvalidConfirmationCode);
    };
    if pending.expires_at <= now_millis() || pending.attempts >= MAX_ATTEMPTS {
        email_changes::delete(&mut tx, user_id).await?;
        tx.commit().await?;
        return Err(ApiError::InvalidConfirmationCode);
    }
    if code_hash(user_id, code.trim()) != pending.code_hash {
        if pending.attempts + 1 >= MAX_ATTEMPTS {
            email_changes::delete(&mut tx, user_id).await?;
        } else {
            email_changes::count_attempt(&mut tx, user_id).await?;
        }
        tx.commit().await?;
        return Err(ApiError::InvalidConfirmationCode);
    }
    let mut user = users::find_for_update(&mut tx, user_id)
        .await?
        .ok_or_else(|| ApiError::NotFound(user_id.to_owned()))?;
    user.email = pending.email;
    user.updated_at = now_millis();
    users::update(&mut tx, &user, &pending.email_key)
        .await
        .map_err(|e| {
            if e.is_unique_violation() {
                ApiError::EmailTaken
            } else {
                e.into()
            }
        })?;
    email_changes::delete(&mut tx, user_id).await?;
    let event = events::user_changed(USER_UPDATED, &user)?;
    state
        .outbox
        .enqueue(&mut tx, exchanges::USER, &event)
        .await?;
    state.commit(tx).await?;
    state.profiles.evict(user_id).await;
    tracing::info!(user = %user_id, "e-mail address changed after confirmation");
    Ok(user)
}

/// The stored form of a code: SHA-256 over the user id and the code.
fn code_hash(user_id: &str, code: &str) -> String {
    Sha256::digest(format!("{user_id}:{code}").as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
