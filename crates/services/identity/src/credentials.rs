//! Proving an account's password: at sign-in, and as the current password that e-mail and
//! password changes ask for. Every attempt goes through the per-account throttle
//! (`throttle.rs`); a right password clears its failures and, when the stored hash predates
//! password normalisation, is stored again normalised (`password.rs`).

use quorum_store::now_millis;

use crate::app::AppState;
use crate::domain::{normalise_password, Email};
use crate::error::ApiError;
use crate::password::Verdict;
use crate::repository::users::{self, UserRecord};
use crate::throttle;

/// The throttle's key for an address as typed or stored: its normalised key, or for an
/// address that does not parse, the address lower-cased.
pub(crate) fn account_key(email: &str) -> String {
    Email::parse(email).map_or_else(|_| Email::legacy_key(email), |e| e.key())
}

/// Whether `password` is the password of `user` (`None`: no such account, answered like a
/// wrong password and as slowly), charged to `account`. `Err(LoginThrottled)` while the
/// account must wait.
pub(crate) async fn prove(
    state: &AppState,
    account: &str,
    user: Option<&UserRecord>,
    password: &str,
) -> Result<bool, ApiError> {
    throttle::charge(&state.db, &state.settings, account).await?;
    let stored = user.map(|u| u.password_hash.as_str());
    let verdict = state.hasher.verify(password, stored).await?;
    let Some(user) = user.filter(|_| verdict.is_right()) else {
        return Ok(false);
    };
    throttle::clear(&state.db, account).await?;
    if verdict == Verdict::RightAsTyped {
        let hash = state.hasher.hash(&normalise_password(password)).await?;
        let mut tx = state.db.begin().await?;
        users::set_password(&mut tx, &user.id, &hash, now_millis()).await?;
        tx.commit().await?;
        tracing::info!(user = %user.id, "password hash replaced by one of the normalised password");
    }
    Ok(true)
}
