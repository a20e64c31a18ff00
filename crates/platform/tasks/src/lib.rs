//! Asynchronous Request-Reply for long-running work (AI analysis, speech-to-text).
//!
//! A request that starts long work creates a [`Task`] in a [`TaskStore`] and answers
//! [`accepted`] (`202`, `Location`, `Retry-After`, `{taskId, status, statusUrl}`). The worker
//! moves the task `PENDING → PROCESSING → COMPLETED | FAILED`; clients poll the status
//! resource ([`status_response`]) or follow its Server-Sent Events ([`sse_response`]).
//! Task status lives 24 hours.
//!
//! Layout:
//! - `model.rs`: [`Task`], [`TaskStatus`], [`Progress`], [`TaskError`] and the transition rules
//!   every store applies;
//! - `store.rs`: the [`TaskStore`] trait and [`TaskUpdates`];
//! - `memory.rs`: [`MemoryTaskStore`] (moka with a TTL, a tokio broadcast per task);
//! - `redis.rs`: [`RedisTaskStore`] (shared by every replica; compare-and-set, pub/sub);
//! - `http.rs`: the axum response helpers.

mod http;
mod memory;
mod model;
mod redis;
mod store;

pub use http::{accepted, sse_response, status_response, TaskAccepted, TaskEvent, TASK_ID_PATTERN};
pub use memory::MemoryTaskStore;
pub use model::{Progress, Task, TaskError, TaskStatus};
pub use redis::RedisTaskStore;
pub use store::{TaskStore, TaskUpdates, DEFAULT_TASK_TTL};
