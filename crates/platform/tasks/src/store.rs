//! The task store trait.

use std::time::Duration;

use async_trait::async_trait;
use futures::stream::BoxStream;

use crate::{Task, TaskError};

/// How long a task's status stays readable after it was created.
pub const DEFAULT_TASK_TTL: Duration = Duration::from_secs(24 * 60 * 60);

/// Snapshots of one task: the current one first, then one per change, ending after a
/// terminal status (or when the task expires).
pub type TaskUpdates = BoxStream<'static, Task>;

/// Where task status lives (in-process or Redis). Every mutator returns the task as it is
/// afterwards, [`TaskError::NotFound`] for an unknown (or expired) id, and
/// [`TaskError::InvalidTransition`] when the task's status does not allow the change.
#[async_trait]
pub trait TaskStore: Send + Sync + 'static {
    /// A new `PENDING` task with an id `{kind}-{uuid v7}`; `kind` is `[a-z0-9_-]{1,32}`.
    async fn create(&self, kind: &str) -> Result<Task, TaskError>;
    async fn get(&self, task_id: &str) -> Result<Option<Task>, TaskError>;
    /// `PENDING → PROCESSING`; a no-op on a task already `PROCESSING`.
    async fn mark_processing(&self, task_id: &str) -> Result<Task, TaskError>;
    async fn set_progress(&self, task_id: &str, done: u64, total: u64) -> Result<Task, TaskError>;
    /// Sets or clears the message of a task that is not finished (see [`Task::message`]).
    async fn set_message(&self, task_id: &str, message: Option<&str>) -> Result<Task, TaskError>;
    /// `PROCESSING → COMPLETED`.
    async fn complete(&self, task_id: &str, result: serde_json::Value) -> Result<Task, TaskError>;
    /// `PENDING | PROCESSING → FAILED`.
    async fn fail(&self, task_id: &str, error: &str) -> Result<Task, TaskError>;
    /// The task's snapshots from now on (see [`TaskUpdates`]).
    async fn subscribe(&self, task_id: &str) -> Result<TaskUpdates, TaskError>;
}
