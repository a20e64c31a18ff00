//! Application state and the steps routes share: the caller's cached todos and stats,
//! visibility, edit and delete rights, and cache eviction after writes.

use std::collections::BTreeSet;
use std::sync::Arc;

use chrono::FixedOffset;
use quorum_bus::Outbox;
use quorum_cache::{specs, Cache, CacheStore};
use quorum_store::sqlx::AnyConnection;
use quorum_store::Db;
use uuid::Uuid;

use crate::error::ApiError;
use crate::repository::{meetings, todos, todos::TodoRecord};
use crate::views::StatsView;

#[derive(Clone)]
pub(crate) struct AppState {
    pub(crate) db: Db,
    pub(crate) outbox: Outbox,
    /// Where relative due dates in notes resolve.
    pub(crate) offset: FixedOffset,
    /// Per user: every todo assigned to or created by them, newest first.
    lists: Cache<Vec<TodoRecord>>,
    stats: Cache<StatsView>,
}

impl AppState {
    pub(crate) fn new(
        db: Db,
        outbox: Outbox,
        store: Arc<dyn CacheStore>,
        offset: FixedOffset,
    ) -> Self {
        Self {
            db,
            outbox,
            offset,
            lists: Cache::new(specs::TODO_LIST, store.clone()),
            stats: Cache::new(specs::TODO_STATS, store),
        }
    }

    /// The caller's todos (cache-aside; filtered and paginated by the route).
    pub(crate) async fn todos_of(&self, user: Uuid) -> Result<Vec<TodoRecord>, ApiError> {
        self.lists
            .get_or_load(&user.to_string(), || async {
                let mut conn = self.db.reader().acquire().await?;
                Ok(todos::of_user(&mut conn, user).await?)
            })
            .await
    }

    /// The caller's counts (cache-aside).
    pub(crate) async fn stats_of(&self, user: Uuid) -> Result<StatsView, ApiError> {
        self.stats
            .get_or_load(&user.to_string(), || async {
                let mut conn = self.db.reader().acquire().await?;
                Ok(StatsView::from_counts(
                    todos::counts(&mut conn, user).await?,
                ))
            })
            .await
    }

    /// Drops the cached lists and stats of `users` (after a committed write).
    pub(crate) async fn evict(&self, users: &BTreeSet<Uuid>) {
        for user in users {
            let key = user.to_string();
            self.lists.evict(&key).await;
            self.stats.evict(&key).await;
        }
    }
}

/// What the caller may do with a todo.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Access {
    /// Neither involved nor a participant of its meeting: the todo is hidden (404).
    None,
    /// A participant of its meeting: may read.
    Read,
    /// Assignee, creator or the meeting's owner: may read and change.
    Edit,
}

pub(crate) async fn access(
    conn: &mut AnyConnection,
    caller: Uuid,
    todo: &TodoRecord,
) -> Result<Access, ApiError> {
    if todo.assignee_id == Some(caller) || todo.created_by == Some(caller) {
        return Ok(Access::Edit);
    }
    let Some(meeting) = todo.meeting_id else {
        return Ok(Access::None);
    };
    if meetings::owner(conn, meeting).await?.flatten() == Some(caller) {
        return Ok(Access::Edit);
    }
    if meetings::is_participant(conn, meeting, caller).await? {
        return Ok(Access::Read);
    }
    Ok(Access::None)
}

/// Whether `caller` may delete `todo`: its creator or its meeting's owner. Its assignee may
/// change it but not make it disappear from the creator's list. Callers check [`access`]
/// first (a todo the caller cannot see is a 404, not a 403).
pub(crate) async fn may_delete(
    conn: &mut AnyConnection,
    caller: Uuid,
    todo: &TodoRecord,
) -> Result<bool, ApiError> {
    if todo.created_by == Some(caller) {
        return Ok(true);
    }
    let Some(meeting) = todo.meeting_id else {
        return Ok(false);
    };
    Ok(meetings::owner(conn, meeting).await?.flatten() == Some(caller))
}
