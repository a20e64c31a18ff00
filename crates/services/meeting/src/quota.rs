//! What one user may have transcribed: recordings up to `meeting.recording_max_duration_secs`
//! each, and `meeting.recording_quota_secs` of audio in any 24 hours.
//!
//! Each stored upload writes its charge to `recording_usage` in the transaction that records
//! it: its length, or — for an upload after the meeting ended, which has every track of the
//! meeting transcribed again — the length of all of them. Usage is its own table, so deleting
//! a meeting gives nothing back, and rows older than a day are removed as new ones come. An
//! upload is refused before its body is read when the caller has nothing left, and again,
//! with its real charge, in the transaction that would record it; on PostgreSQL that
//! transaction holds an advisory lock on the user, so two uploads at once cannot both take
//! the last of the quota (SQLite has one writer).

use quorum_store::sqlx::{self, AnyConnection};
use uuid::Uuid;

use crate::error::{clock, ApiError};
use quorum_service::Failure;

const DAY_MS: i64 = 24 * 60 * 60 * 1000;
/// The advisory-lock class of the quota (two-key locks do not meet the one-key locks of
/// `quorum_service::deleted_meetings`).
const LOCK_CLASS: i32 = 0x5155_4f54; // "QUOT"

/// The limits of the settings, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct RecordingRules {
    pub(crate) max_duration_ms: u64,
    /// 0: no quota.
    pub(crate) quota_ms: u64,
}

impl RecordingRules {
    pub(crate) fn new(settings: &crate::Settings) -> Self {
        Self {
            max_duration_ms: settings.recording_max_duration_secs.saturating_mul(1000),
            quota_ms: settings.recording_quota_secs.saturating_mul(1000),
        }
    }

    /// What a decode of an upload must keep.
    pub(crate) fn limits(&self) -> quorum_audio::Limits {
        quorum_audio::Limits {
            max_duration_ms: self.max_duration_ms,
        }
    }

    /// 429 when `charge` would take `user` over the quota of the 24 hours before `now`,
    /// with the seconds until enough of it is a day old.
    pub(crate) async fn check(
        &self,
        conn: &mut AnyConnection,
        user: Uuid,
        charge: Charge,
        now: i64,
    ) -> Result<(), ApiError> {
        if self.quota_ms == 0 {
            return Ok(());
        }
        let rows: Vec<(i64, i64)> = sqlx::query_as(
            "SELECT created_at, charged_ms FROM recording_usage \
             WHERE user_id = $1 AND created_at > $2 ORDER BY created_at",
        )
        .bind(user.to_string())
        .bind(now - DAY_MS)
        .fetch_all(conn)
        .await?;
        let charges = rows.iter().map(|(_, ms)| u64::try_from(*ms).unwrap_or(0));
        let used: u64 = charges.clone().sum();
        if used.saturating_add(charge.ms) <= self.quota_ms {
            return Ok(());
        }
        // Room comes back as the oldest uploads turn a day old.
        let mut left = used;
        let mut free_at = now + DAY_MS;
        for (&(at, _), ms) in rows.iter().zip(charges) {
            left -= ms;
            if left.saturating_add(charge.ms) <= self.quota_ms {
                free_at = at + DAY_MS;
                break;
            }
        }
        let retry_after_secs = u64::try_from((free_at - now).max(1_000) / 1000).unwrap_or(1);
        Err(ApiError::QuotaExceeded {
            message: charge.refusal(self.quota_ms, used),
            retry_after_secs,
        })
    }
}

/// What an upload costs: its length, or the whole meeting's after the end.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Charge {
    pub(crate) ms: u64,
    /// Every track of the meeting is counted (an upload after the end).
    pub(crate) whole_meeting: bool,
}

impl Charge {
    /// Any audio at all: the check before an upload's body is read.
    pub(crate) const ANY: Self = Self {
        ms: 1,
        whole_meeting: false,
    };

    fn refusal(self, quota_ms: u64, used_ms: u64) -> String {
        let quota = clock(quota_ms);
        if self == Self::ANY {
            return format!(
                "you have used your quota of {quota} of recordings in the last 24 hours"
            );
        }
        let note = if self.whole_meeting {
            " (after the meeting ended, an upload counts every track of the meeting, which it \
             has transcribed again)"
        } else {
            ""
        };
        let counts = clock(self.ms);
        if self.ms > quota_ms {
            format!(
                "this upload counts {counts} of audio{note}, more than the quota of {quota} a day"
            )
        } else {
            format!(
                "this upload counts {counts} of audio{note}; with the {} you uploaded in the \
                 last 24 hours it would exceed your quota of {quota}",
                clock(used_ms)
            )
        }
    }
}

/// Waits for other transactions charging `user` (PostgreSQL; SQLite has one writer anyway).
pub(crate) async fn lock_user(conn: &mut AnyConnection, user: Uuid) -> Result<(), Failure> {
    if !conn.backend_name().eq_ignore_ascii_case("postgresql") {
        return Ok(());
    }
    let (hi, lo) = user.as_u64_pair();
    let folded = hi ^ lo;
    let key = i32::from_ne_bytes(((folded >> 32) as u32 ^ folded as u32).to_ne_bytes());
    sqlx::query("SELECT pg_advisory_xact_lock($1, $2)")
        .bind(LOCK_CLASS)
        .bind(key)
        .execute(conn)
        .await?;
    Ok(())
}

/// Records what `recording` cost `user`, and forgets usage older than a day.
pub(crate) async fn charge(
    conn: &mut AnyConnection,
    user: Uuid,
    recording: Uuid,
    charged_ms: u64,
    now: i64,
) -> Result<(), Failure> {
    sqlx::query("DELETE FROM recording_usage WHERE created_at <= $1")
        .bind(now - DAY_MS)
        .execute(&mut *conn)
        .await?;
    sqlx::query(
        "INSERT INTO recording_usage (recording_id, user_id, charged_ms, created_at) \
         VALUES ($1, $2, $3, $4)",
    )
    .bind(recording.to_string())
    .bind(user.to_string())
    .bind(i64::try_from(charged_ms).unwrap_or(i64::MAX))
    .bind(now)
    .execute(conn)
    .await?;
    Ok(())
}
