//! Per-account backoff on password attempts (sign-in, and the current password that e-mail
//! and password changes ask for), kept in the identity database so that every replica
//! counts the same failures whichever proxy, address or replica the attempts come through.
//!
//! An attempt is charged *before* the password is checked, in one short transaction: the
//! account's row (by e-mail key, whether an account has it or not, so the answer tells
//! nothing about which addresses exist) counts one more failure, and from the
//! `login_free_failures`-th on the next attempt must wait `base × 2^(n − free)` seconds
//! (capped). An attempt during the wait is refused at once with `429 login_throttled` and
//! `Retry-After`, without checking the password, so concurrent guesses cannot slip through
//! together. A right password clears the row ([`clear`]); failures older than
//! `login_failure_window_secs` are forgotten. It is a delay, never a lockout: whoever knows
//! the password gets in as soon as the wait is over.

use quorum_store::{now_millis, sqlx, Db};

use crate::error::ApiError;
use crate::settings::Settings;

/// Charges an attempt to prove the password of `account` (an e-mail key); refuses it when
/// the account must still wait.
pub(crate) async fn charge(db: &Db, settings: &Settings, account: &str) -> Result<(), ApiError> {
    let now = now_millis();
    let window = i64::try_from(settings.login_failure_window_secs.saturating_mul(1000))
        .unwrap_or(i64::MAX / 2);
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM login_throttle WHERE updated_at < $1 AND blocked_until <= $2")
        .bind(now.saturating_sub(window))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "INSERT INTO login_throttle (account_key, failures, blocked_until, updated_at) \
         VALUES ($1, 0, 0, $2) ON CONFLICT (account_key) DO NOTHING",
    )
    .bind(account)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let charged = sqlx::query(
        "UPDATE login_throttle SET failures = failures + 1, updated_at = $2 \
         WHERE account_key = $1 AND blocked_until <= $2",
    )
    .bind(account)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    let (failures, blocked_until): (i64, i64) =
        sqlx::query_as("SELECT failures, blocked_until FROM login_throttle WHERE account_key = $1")
            .bind(account)
            .fetch_one(&mut *tx)
            .await?;
    if charged.rows_affected() == 0 {
        tx.rollback().await?;
        let wait_ms = blocked_until.saturating_sub(now).max(1);
        return Err(ApiError::LoginThrottled {
            retry_after_secs: u64::try_from((wait_ms + 999) / 1000).unwrap_or(1),
        });
    }
    let wait = settings.login_backoff(u32::try_from(failures).unwrap_or(u32::MAX));
    if !wait.is_zero() {
        let until = now.saturating_add(i64::try_from(wait.as_millis()).unwrap_or(i64::MAX / 2));
        sqlx::query("UPDATE login_throttle SET blocked_until = $2 WHERE account_key = $1")
            .bind(account)
            .bind(until)
            .execute(&mut *tx)
            .await?;
        tracing::info!(
            failures,
            wait_secs = wait.as_secs(),
            "password attempts of an account slowed down"
        );
    }
    tx.commit().await?;
    Ok(())
}

/// Forgets the failures of `account` (its password was just proven).
pub(crate) async fn clear(db: &Db, account: &str) -> Result<(), ApiError> {
    sqlx::query("DELETE FROM login_throttle WHERE account_key = $1")
        .bind(account)
        .execute(db.writer())
        .await?;
    Ok(())
}
