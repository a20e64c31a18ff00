//! Turning action items (from notes or the AI analysis) into todos, exactly once each.
//!
//! Inside the consumer's transaction, after the meeting row was locked: the meeting's
//! existing todos are loaded, and each candidate is compared with those of the same
//! assignee (same user id; or, both unresolved, the same folded name; or both nobody) by the
//! title test in [`crate::extract::similar`]. A match is the same action item: nothing new is
//! created, and when the newcomer has a due date the existing todo lacks, it is filled in
//! (no event: `todo.created` carried no date and a date is not a status change). Otherwise
//! a todo is inserted with its creation in the status history and `todo.created` in the
//! outbox. Candidates are compared with each other too, so a line written twice is one todo.
//! A todo of the meeting that someone deleted counts as existing, by the same test, so the
//! action item found again (a re-analysis after a correction) does not bring it back.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use quorum_store::{now_millis, Tx};
use uuid::Uuid;

use crate::app::AppState;
use crate::domain::{Source, Title, TodoStatus};
use crate::error::ApiError;
use crate::events;
use crate::extract::similar::{person_key, similar, tokens};
use crate::repository::todos::{self, TodoRecord};

/// An action item about to become a todo.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate {
    pub(crate) title: Title,
    pub(crate) assignee_id: Option<Uuid>,
    pub(crate) assignee_name: Option<String>,
    pub(crate) due_date: Option<NaiveDate>,
}

/// What one ingestion did.
#[derive(Debug, Default)]
pub(crate) struct Ingested {
    pub(crate) created: usize,
    pub(crate) merged: usize,
    /// Users whose cached lists and stats changed.
    pub(crate) touched: BTreeSet<Uuid>,
}

fn same_assignee(t: &TodoRecord, c: &Candidate) -> bool {
    same_person(t.assignee_id, t.assignee_name.as_ref(), c)
}

fn same_person(id: Option<Uuid>, name: Option<&String>, c: &Candidate) -> bool {
    match (id, c.assignee_id) {
        (Some(a), Some(b)) => a == b,
        (None, None) => {
            let key = |n: Option<&String>| n.map(|n| person_key(n)).unwrap_or_default();
            key(name) == key(c.assignee_name.as_ref())
        }
        _ => false,
    }
}

pub(crate) async fn ingest(
    state: &AppState,
    tx: &mut Tx,
    meeting: Uuid,
    creator: Option<Uuid>,
    source: Source,
    candidates: Vec<Candidate>,
) -> Result<Ingested, ApiError> {
    let mut existing = todos::of_meeting(tx, meeting).await?;
    let mut keys: Vec<BTreeSet<String>> = existing.iter().map(|t| tokens(&t.title)).collect();
    let deleted: Vec<(BTreeSet<String>, Option<Uuid>, Option<String>)> =
        todos::deleted_of_meeting(tx, meeting)
            .await?
            .into_iter()
            .map(|(title, id, name)| (tokens(&title), id, name))
            .collect();
    let mut out = Ingested::default();
    for c in candidates {
        let title = c.title.clone().into_inner();
        let key = tokens(&title);
        let was_deleted = deleted
            .iter()
            .any(|(k, id, name)| same_person(*id, name.as_ref(), &c) && similar(k, &key));
        if was_deleted {
            out.merged += 1;
            continue;
        }
        let found = existing
            .iter()
            .zip(&keys)
            .position(|(t, k)| same_assignee(t, &c) && similar(k, &key));
        if let Some(i) = found {
            out.merged += 1;
            let t = &mut existing[i];
            if t.due_date.is_none() && c.due_date.is_some() {
                let read_at = t.updated_at;
                t.due_date = c.due_date;
                t.updated_at = now_millis().max(read_at + 1);
                if !todos::update(tx, t, read_at).await? {
                    return Err(ApiError::Concurrent);
                }
                out.touched.extend(t.owners());
            }
            continue;
        }
        let now = now_millis();
        let todo = TodoRecord {
            id: Uuid::now_v7(),
            meeting_id: Some(meeting),
            title,
            status: TodoStatus::Open,
            source,
            assignee_id: c.assignee_id,
            assignee_name: c.assignee_name,
            meeting_title: None,
            due_date: c.due_date,
            created_by: creator,
            created_at: now,
            updated_at: now,
        };
        todos::insert(tx, &todo).await?;
        todos::history(tx, todo.id, None, TodoStatus::Open, creator, now).await?;
        events::created(&state.outbox, tx, &todo).await?;
        out.created += 1;
        out.touched.extend(todo.owners());
        keys.push(key);
        existing.push(todo);
    }
    Ok(out)
}
