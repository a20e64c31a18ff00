//! The events this service publishes on `todo.events`, written to the outbox inside the
//! caller's transaction: `todo.created`, `todo.status_changed` on every status change and,
//! after it, `todo.completed` when the new status is DONE; `todo.deleted` with the todo as it
//! was (its status tells whether it had been counted as completed).

use chrono::Utc;
use quorum_bus::{Envelope, Outbox};
use quorum_contracts::events::{
    TodoCreated, TodoDeleted, TodoStatusChanged, TODO_COMPLETED, TODO_CREATED, TODO_DELETED,
    TODO_STATUS_CHANGED,
};
use quorum_contracts::{exchanges, SCHEMA_VERSION};
use quorum_store::Tx;
use uuid::Uuid;

use crate::domain::TodoStatus;
use crate::error::ApiError;
use crate::repository::todos::TodoRecord;
use crate::views::millis;

pub(crate) const SOURCE: &str = "quorum/todo";

async fn publish<T: serde::Serialize>(
    outbox: &Outbox,
    tx: &mut Tx,
    kind: &str,
    todo: Uuid,
    payload: &T,
) -> Result<(), ApiError> {
    let envelope = Envelope::new(
        kind,
        SOURCE,
        Some(todo.to_string()),
        SCHEMA_VERSION,
        payload,
    )?;
    outbox.enqueue(tx, exchanges::TODO, &envelope).await?;
    Ok(())
}

pub(crate) async fn created(outbox: &Outbox, tx: &mut Tx, t: &TodoRecord) -> Result<(), ApiError> {
    let payload = TodoCreated {
        todo_id: t.id,
        meeting_id: t.meeting_id,
        title: t.title.clone(),
        assignee_id: t.assignee_id,
        due_date: t.due_date.map(|d| d.format("%Y-%m-%d").to_string()),
        source: t.source.as_str().to_string(),
        created_by: t.created_by,
        occurred_at: millis(t.created_at),
    };
    publish(outbox, tx, TODO_CREATED, t.id, &payload).await
}

/// `todo.status_changed`, and `todo.completed` when `t` is now DONE.
pub(crate) async fn status_changed(
    outbox: &Outbox,
    tx: &mut Tx,
    t: &TodoRecord,
    from: TodoStatus,
    by: Uuid,
) -> Result<(), ApiError> {
    let payload = TodoStatusChanged {
        todo_id: t.id,
        meeting_id: t.meeting_id,
        title: t.title.clone(),
        assignee_id: t.assignee_id,
        from: from.as_str().to_string(),
        to: t.status.as_str().to_string(),
        changed_by: Some(by),
        occurred_at: Utc::now(),
    };
    publish(outbox, tx, TODO_STATUS_CHANGED, t.id, &payload).await?;
    if t.status == TodoStatus::Done {
        publish(outbox, tx, TODO_COMPLETED, t.id, &payload).await?;
    }
    Ok(())
}

/// `todo.deleted` for `t`, deleted by `by`.
pub(crate) async fn deleted(
    outbox: &Outbox,
    tx: &mut Tx,
    t: &TodoRecord,
    by: Uuid,
) -> Result<(), ApiError> {
    let payload = TodoDeleted {
        todo_id: t.id,
        meeting_id: t.meeting_id,
        title: t.title.clone(),
        assignee_id: t.assignee_id,
        created_by: t.created_by,
        status: t.status.as_str().to_string(),
        deleted_by: by,
        occurred_at: Utc::now(),
    };
    publish(outbox, tx, TODO_DELETED, t.id, &payload).await
}
