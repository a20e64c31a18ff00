//! The task resource and its transition rules.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Where a task is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TaskStatus {
    Pending,
    Processing,
    Completed,
    Failed,
}

impl TaskStatus {
    /// `COMPLETED` and `FAILED` are final.
    pub fn is_terminal(self) -> bool {
        matches!(self, Self::Completed | Self::Failed)
    }

    /// The wire name, also used as the SSE event name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Processing => "PROCESSING",
            Self::Completed => "COMPLETED",
            Self::Failed => "FAILED",
        }
    }
}

/// How much of the work is done.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
}

/// The status resource of a long-running request (api.md, "AI").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Task {
    /// `{kind}-{uuid v7}`: URL-safe and opaque to clients.
    pub task_id: String,
    pub status: TaskStatus,
    pub created_at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub started_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub completed_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub progress: Option<Progress>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub result: Option<serde_json::Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error_message: Option<String>,
    /// What a task that is not finished is waiting for, in words (e.g. "waiting for a
    /// speech-to-text engine: …"); cleared when it starts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// Why a task operation failed.
#[derive(Debug, thiserror::Error)]
pub enum TaskError {
    #[error("task {0} not found")]
    NotFound(String),
    #[error("task {task_id} is {from:?}; it cannot become {to:?}")]
    InvalidTransition {
        task_id: String,
        from: TaskStatus,
        to: TaskStatus,
    },
    #[error("progress {done}/{total} is not valid")]
    InvalidProgress { done: u64, total: u64 },
    #[error("task kind {0:?} must be 1-32 characters of a-z, 0-9, '-' or '_'")]
    InvalidKind(String),
    #[error("task store unavailable: {0}")]
    Backend(String),
}

impl quorum_web::ApiErrorKind for TaskError {
    fn code(&self) -> quorum_web::Code {
        use quorum_web::Code;
        match self {
            Self::NotFound(_) => Code::TaskNotFound,
            Self::InvalidTransition { .. } => Code::InvalidTaskTransition,
            Self::InvalidProgress { .. } => Code::InvalidTaskProgress,
            Self::InvalidKind(_) => Code::InvalidTaskKind,
            Self::Backend(_) => Code::TaskStoreUnavailable,
        }
    }
}

/// The transition rules, shared by every [`crate::TaskStore`] implementation. Each returns
/// whether the task changed (and so whether subscribers must hear about it).
impl Task {
    /// A new `PENDING` task whose id starts with `kind`.
    pub fn new(kind: &str) -> Result<Self, TaskError> {
        let valid = (1..=32).contains(&kind.len())
            && kind
                .bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'_');
        if !valid {
            return Err(TaskError::InvalidKind(kind.to_owned()));
        }
        Ok(Self {
            task_id: format!("{kind}-{}", uuid::Uuid::now_v7()),
            status: TaskStatus::Pending,
            created_at: Utc::now(),
            started_at: None,
            completed_at: None,
            progress: None,
            result: None,
            error_message: None,
            message: None,
        })
    }

    fn invalid(&self, to: TaskStatus) -> TaskError {
        TaskError::InvalidTransition {
            task_id: self.task_id.clone(),
            from: self.status,
            to,
        }
    }

    /// `PENDING → PROCESSING`. Idempotent on a `PROCESSING` task (a redelivered job may
    /// start again), which is then left unchanged.
    pub fn start(&mut self) -> Result<bool, TaskError> {
        match self.status {
            TaskStatus::Pending => {
                self.status = TaskStatus::Processing;
                self.started_at = Some(Utc::now());
                self.message = None;
                Ok(true)
            }
            TaskStatus::Processing => Ok(false),
            _ => Err(self.invalid(TaskStatus::Processing)),
        }
    }

    /// Records progress on a `PROCESSING` task; `done` may not exceed `total`.
    pub fn advance(&mut self, done: u64, total: u64) -> Result<bool, TaskError> {
        if self.status != TaskStatus::Processing {
            return Err(self.invalid(TaskStatus::Processing));
        }
        if done > total {
            return Err(TaskError::InvalidProgress { done, total });
        }
        let progress = Some(Progress { done, total });
        let changed = self.progress != progress;
        self.progress = progress;
        Ok(changed)
    }

    /// Sets (or with `None` clears) the message of a task that is not finished.
    pub fn annotate(&mut self, message: Option<&str>) -> Result<bool, TaskError> {
        if self.status.is_terminal() {
            return Err(self.invalid(self.status));
        }
        let message = message.map(str::to_owned);
        let changed = self.message != message;
        self.message = message;
        Ok(changed)
    }

    /// `PROCESSING → COMPLETED` with its result.
    pub fn finish(&mut self, result: serde_json::Value) -> Result<bool, TaskError> {
        if self.status != TaskStatus::Processing {
            return Err(self.invalid(TaskStatus::Completed));
        }
        self.status = TaskStatus::Completed;
        self.completed_at = Some(Utc::now());
        self.result = Some(result);
        Ok(true)
    }

    /// `PENDING | PROCESSING → FAILED` with a message for the client.
    pub fn abort(&mut self, error: &str) -> Result<bool, TaskError> {
        if self.status.is_terminal() {
            return Err(self.invalid(TaskStatus::Failed));
        }
        self.status = TaskStatus::Failed;
        self.completed_at = Some(Utc::now());
        self.error_message = Some(error.to_owned());
        Ok(true)
    }
}
