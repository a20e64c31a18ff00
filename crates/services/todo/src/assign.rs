//! Who a todo may be assigned to by hand (`POST /api/todos`, and `PATCH /api/todos/{id}`
//! when it changes the assignee), so nobody can put a todo — and its notification, "New
//! to-do for you: …" — into a stranger's list:
//!
//! - nobody, or the caller themself, always;
//! - for a todo of a meeting the caller takes part in: any participant of that meeting, its
//!   owner included, as this service knows them (`meeting.created`, `meeting.started`,
//!   `meeting.ended`, the analysis);
//! - anyone else: 403 `todo_assignee_forbidden` (whether or not the user exists).
//!
//! An allowed assignee the directory no longer knows (deleted) is a 422 naming `assigneeId`.

use quorum_store::sqlx::AnyConnection;
use uuid::Uuid;

use crate::domain::ValidationError;
use crate::error::ApiError;
use crate::repository::meetings;

/// The name to show for `assignee` of a todo of `meeting`, or why `caller` may not assign
/// it to them.
pub(crate) async fn assignee(
    conn: &mut AnyConnection,
    caller: Uuid,
    meeting: Option<Uuid>,
    assignee: Uuid,
) -> Result<Option<String>, ApiError> {
    if assignee != caller {
        let shared = match meeting {
            Some(m) => {
                meetings::is_participant(conn, m, caller).await?
                    && meetings::is_participant(conn, m, assignee).await?
            }
            None => false,
        };
        if !shared {
            return Err(ApiError::AssigneeForbidden(assignee));
        }
    }
    known_user(conn, caller, assignee).await
}

/// The directory's name for `user` (`None` for the caller before the directory heard of
/// them: the gateway vouches for the caller), or 422 naming `assigneeId`.
async fn known_user(
    conn: &mut AnyConnection,
    caller: Uuid,
    user: Uuid,
) -> Result<Option<String>, ApiError> {
    match meetings::user_name(conn, user).await? {
        Some(name) => Ok(Some(name)),
        None if user == caller => Ok(None),
        None => Err(ValidationError(format!(
            "`assigneeId` {user} is not a known user; assign todos to registered users"
        ))
        .into()),
    }
}
