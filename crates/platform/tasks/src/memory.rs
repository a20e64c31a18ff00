//! The in-process task store.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use tokio::sync::broadcast;

use crate::{Task, TaskError, TaskStore, TaskUpdates, DEFAULT_TASK_TTL};

/// Updates a slow subscriber may fall behind by before it skips some (never the last one).
const UPDATES_BUFFER: usize = 64;

/// One task and the channel its changes go out on. Changing the task and sending the new
/// snapshot happen under the same lock, so a subscriber never misses or reorders a change.
struct Cell {
    task: Mutex<Task>,
    tx: broadcast::Sender<Task>,
}

/// Task status in process memory: entries expire a fixed time after creation (24 h by
/// default), and each task has a tokio broadcast channel for its subscribers.
#[derive(Clone)]
pub struct MemoryTaskStore {
    tasks: moka::future::Cache<String, Arc<Cell>>,
}

impl Default for MemoryTaskStore {
    fn default() -> Self {
        Self::new()
    }
}

impl MemoryTaskStore {
    /// A store keeping tasks for [`DEFAULT_TASK_TTL`].
    pub fn new() -> Self {
        Self::with_ttl(DEFAULT_TASK_TTL)
    }

    /// A store keeping tasks for `ttl` after creation (short ones are for tests).
    pub fn with_ttl(ttl: Duration) -> Self {
        Self {
            tasks: moka::future::Cache::builder().time_to_live(ttl).build(),
        }
    }

    async fn cell(&self, task_id: &str) -> Result<Arc<Cell>, TaskError> {
        self.tasks
            .get(task_id)
            .await
            .ok_or_else(|| TaskError::NotFound(task_id.to_owned()))
    }

    async fn update(
        &self,
        task_id: &str,
        change: impl FnOnce(&mut Task) -> Result<bool, TaskError>,
    ) -> Result<Task, TaskError> {
        let cell = self.cell(task_id).await?;
        // No code that can panic runs under this lock, so a poisoned one is still consistent.
        let mut task = cell.task.lock().unwrap_or_else(PoisonError::into_inner);
        if change(&mut task)? {
            // An error only means nobody is listening.
            let _ = cell.tx.send(task.clone());
        }
        Ok(task.clone())
    }
}

#[async_trait]
impl TaskStore for MemoryTaskStore {
    async fn create(&self, kind: &str) -> Result<Task, TaskError> {
        let task = Task::new(kind)?;
        let (tx, _) = broadcast::channel(UPDATES_BUFFER);
        let cell = Cell {
            task: Mutex::new(task.clone()),
            tx,
        };
        self.tasks
            .insert(task.task_id.clone(), Arc::new(cell))
            .await;
        Ok(task)
    }

    async fn get(&self, task_id: &str) -> Result<Option<Task>, TaskError> {
        let cell = self.tasks.get(task_id).await;
        Ok(cell.map(|c| {
            c.task
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone()
        }))
    }

    async fn mark_processing(&self, task_id: &str) -> Result<Task, TaskError> {
        self.update(task_id, Task::start).await
    }

    async fn set_progress(&self, task_id: &str, done: u64, total: u64) -> Result<Task, TaskError> {
        self.update(task_id, |t| t.advance(done, total)).await
    }

    async fn set_message(&self, task_id: &str, message: Option<&str>) -> Result<Task, TaskError> {
        self.update(task_id, |t| t.annotate(message)).await
    }

    async fn complete(&self, task_id: &str, result: serde_json::Value) -> Result<Task, TaskError> {
        self.update(task_id, |t| t.finish(result)).await
    }

    async fn fail(&self, task_id: &str, error: &str) -> Result<Task, TaskError> {
        self.update(task_id, |t| t.abort(error)).await
    }

    async fn subscribe(&self, task_id: &str) -> Result<TaskUpdates, TaskError> {
        let cell = self.cell(task_id).await?;
        let (current, rx) = {
            let task = cell.task.lock().unwrap_or_else(PoisonError::into_inner);
            (task.clone(), cell.tx.subscribe())
        };
        // The cell is not held by the stream, so an expired task closes its channel.
        drop(cell);
        Ok(snapshots(current, rx))
    }
}

/// `current`, then each update from `rx`, ending after a terminal status or a closed channel.
fn snapshots(current: Task, rx: broadcast::Receiver<Task>) -> TaskUpdates {
    let live = futures::stream::unfold(Some(rx), |rx| async move {
        let mut rx = rx?;
        loop {
            match rx.recv().await {
                Ok(task) => {
                    let next = (!task.status.is_terminal()).then_some(rx);
                    return Some((task, next));
                }
                Err(broadcast::error::RecvError::Lagged(skipped)) => {
                    tracing::debug!(skipped, "task subscriber lagged; skipping snapshots");
                }
                Err(broadcast::error::RecvError::Closed) => return None,
            }
        }
    });
    let terminal = current.status.is_terminal();
    let first = futures::stream::once(async move { current });
    if terminal {
        first.boxed()
    } else {
        first.chain(live).boxed()
    }
}
