//! Task status in Redis, shared by every replica: a task created by one process can be
//! polled or streamed (SSE) through any other.
//!
//! A task is a JSON value under `<prefix>task:<id>` that expires [`DEFAULT_TASK_TTL`] after
//! creation. A change is read → apply the transition rules ([`Task::start`] and friends) →
//! compare-and-set in a Lua script that also publishes the new snapshot on
//! `<prefix>task:<id>:updates`, so writers never overwrite each other and subscribers see
//! every change in order.

use std::time::Duration;

use async_trait::async_trait;
use futures::StreamExt;
use quorum_cache::RedisLink;

use crate::{Task, TaskError, TaskStore, TaskUpdates, DEFAULT_TASK_TTL};

/// KEYS: the task, its channel. ARGV: the value read, the new value. Sets (keeping the TTL)
/// and publishes only when the task still holds the value read.
const COMPARE_AND_SET: &str = r"
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2], 'KEEPTTL')
redis.call('PUBLISH', KEYS[2], ARGV[2])
return 1
";

/// Concurrent writers of one task retry this often before giving up.
const MAX_CONFLICTS: usize = 32;

pub struct RedisTaskStore {
    link: RedisLink,
    prefix: String,
    ttl: Duration,
    cas: redis::Script,
}

fn backend(e: impl std::fmt::Display) -> TaskError {
    TaskError::Backend(e.to_string())
}

impl RedisTaskStore {
    /// A store on `url` keeping tasks for [`DEFAULT_TASK_TTL`]; nothing is connected yet.
    pub fn new(url: &str, prefix: &str) -> Result<Self, TaskError> {
        Self::with_ttl(url, prefix, DEFAULT_TASK_TTL)
    }

    /// A store keeping tasks for `ttl` after creation.
    pub fn with_ttl(url: &str, prefix: &str, ttl: Duration) -> Result<Self, TaskError> {
        Ok(Self {
            link: RedisLink::new(url).map_err(backend)?,
            prefix: prefix.to_owned(),
            ttl,
            cas: redis::Script::new(COMPARE_AND_SET),
        })
    }

    /// The prefix of this store's keys.
    pub fn prefix(&self) -> &str {
        &self.prefix
    }

    fn key(&self, task_id: &str) -> String {
        format!("{}task:{task_id}", self.prefix)
    }

    fn channel(&self, task_id: &str) -> String {
        format!("{}task:{task_id}:updates", self.prefix)
    }

    async fn read(&self, task_id: &str) -> Result<Option<String>, TaskError> {
        let mut conn = self.link.conn().await.map_err(backend)?;
        let raw: redis::RedisResult<Option<String>> = redis::cmd("GET")
            .arg(self.key(task_id))
            .query_async(&mut conn)
            .await;
        self.link.checked(raw).map_err(backend)
    }

    async fn update(
        &self,
        task_id: &str,
        change: impl Fn(&mut Task) -> Result<bool, TaskError>,
    ) -> Result<Task, TaskError> {
        for _ in 0..MAX_CONFLICTS {
            let raw = self
                .read(task_id)
                .await?
                .ok_or_else(|| TaskError::NotFound(task_id.to_owned()))?;
            let mut task: Task = serde_json::from_str(&raw).map_err(backend)?;
            if !change(&mut task)? {
                return Ok(task);
            }
            let new = serde_json::to_string(&task).map_err(backend)?;
            let mut conn = self.link.conn().await.map_err(backend)?;
            let set: redis::RedisResult<i64> = self
                .cas
                .key(self.key(task_id))
                .key(self.channel(task_id))
                .arg(&raw)
                .arg(&new)
                .invoke_async(&mut conn)
                .await;
            if self.link.checked(set).map_err(backend)? == 1 {
                return Ok(task);
            }
        }
        Err(TaskError::Backend(format!(
            "task {task_id} kept changing under {MAX_CONFLICTS} attempts"
        )))
    }
}

#[async_trait]
impl TaskStore for RedisTaskStore {
    async fn create(&self, kind: &str) -> Result<Task, TaskError> {
        let task = Task::new(kind)?;
        let json = serde_json::to_string(&task).map_err(backend)?;
        let mut conn = self.link.conn().await.map_err(backend)?;
        let set: redis::RedisResult<()> = redis::cmd("SET")
            .arg(self.key(&task.task_id))
            .arg(json)
            .arg("PX")
            .arg(
                u64::try_from(self.ttl.as_millis())
                    .unwrap_or(u64::MAX)
                    .max(1),
            )
            .query_async(&mut conn)
            .await;
        self.link.checked(set).map_err(backend)?;
        Ok(task)
    }

    async fn get(&self, task_id: &str) -> Result<Option<Task>, TaskError> {
        self.read(task_id)
            .await?
            .map(|raw| serde_json::from_str(&raw).map_err(backend))
            .transpose()
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
        self.update(task_id, |t| t.finish(result.clone())).await
    }

    async fn fail(&self, task_id: &str, error: &str) -> Result<Task, TaskError> {
        self.update(task_id, |t| t.abort(error)).await
    }

    async fn subscribe(&self, task_id: &str) -> Result<TaskUpdates, TaskError> {
        // Subscribe first, then read: a change in between arrives as a message (and is
        // dropped below when it equals the snapshot read).
        let mut pubsub = self
            .link
            .client()
            .get_async_pubsub()
            .await
            .map_err(backend)?;
        pubsub
            .subscribe(self.channel(task_id))
            .await
            .map_err(backend)?;
        let current = self
            .get(task_id)
            .await?
            .ok_or_else(|| TaskError::NotFound(task_id.to_owned()))?;
        if current.status.is_terminal() {
            return Ok(futures::stream::once(async move { current }).boxed());
        }
        let first = current.clone();
        let expires = tokio::time::sleep(self.ttl);
        let live = futures::stream::unfold(
            (pubsub.into_on_message(), Some(current), Box::pin(expires)),
            |(mut messages, last, mut expires)| async move {
                let last = last?;
                loop {
                    let msg = tokio::select! {
                        msg = messages.next() => msg?,
                        () = &mut expires => return None,
                    };
                    let Ok(task) = serde_json::from_slice::<Task>(msg.get_payload_bytes()) else {
                        continue;
                    };
                    if task == last {
                        continue;
                    }
                    let next = (!task.status.is_terminal()).then(|| task.clone());
                    return Some((task, (messages, next, expires)));
                }
            },
        );
        Ok(futures::stream::once(async move { first })
            .chain(live)
            .boxed())
    }
}
