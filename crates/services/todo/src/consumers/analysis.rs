//! `ai.analysis.completed`: one todo per action item (source `AI`), deduplicated against
//! the meeting's todos (notes first or AI first, the item becomes one todo).
//!
//! The assignee is the item's `assigneeId`, else its `assigneeName` matched to a
//! participant (the event's `participantIds`, named from the directory or an earlier
//! `meeting.ended`), else the name as given. The due date is `dueDate`, else the local day
//! of `dueAt`. The creator is the meeting's owner once `meeting.ended` has named them.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::{FixedOffset, NaiveDate};
use quorum_bus::{Envelope, HandleError, Subscription};
use quorum_contracts::events::{ActionItemRef, AnalysisCompleted, AI_ANALYSIS_COMPLETED};
use quorum_contracts::exchanges;
use quorum_service::deleted_meetings;
use quorum_store::{now_millis, Tx};
use uuid::Uuid;

use super::{reject, retry, Effects};
use crate::app::AppState;
use crate::domain::{Source, Title};
use crate::extract::names::{self, Person};
use crate::ingest::{ingest, Candidate};
use crate::repository::meetings;

pub(crate) const SUBSCRIPTION: Subscription =
    Subscription::new("todo.ai.queue", &[(exchanges::AI, AI_ANALYSIS_COMPLETED)]);

pub(crate) struct AnalysisConsumer;

fn candidate(item: &ActionItemRef, people: &[Person], offset: FixedOffset) -> Option<Candidate> {
    let title = Title::lenient(&item.title)?;
    let named = item
        .assignee_name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty());
    let (assignee_id, assignee_name) = match (item.assignee_id, named) {
        (Some(id), name) => {
            let known = people.iter().find(|p| p.id == id && !p.name.is_empty());
            (
                Some(id),
                known.map(|p| p.name.clone()).or(name.map(String::from)),
            )
        }
        (None, Some(name)) => match names::find(people, name, name.starts_with('@')) {
            Some(p) => (Some(p.id), Some(p.name.clone())),
            None => (None, Some(names::strip_honorific(name).to_string())),
        },
        (None, None) => (None, None),
    };
    let due_date = item
        .due_date
        .as_deref()
        .and_then(|d| NaiveDate::parse_from_str(d.trim(), "%Y-%m-%d").ok())
        .or_else(|| item.due_at.map(|t| t.with_timezone(&offset).date_naive()));
    Some(Candidate {
        title,
        assignee_id,
        assignee_name,
        due_date,
    })
}

#[async_trait]
impl Effects for AnalysisConsumer {
    fn name(&self) -> &'static str {
        "todo.analysis"
    }

    async fn apply(
        &self,
        state: &AppState,
        tx: &mut Tx,
        envelope: &Envelope,
    ) -> Result<BTreeSet<Uuid>, HandleError> {
        let a: AnalysisCompleted = envelope.data_as().map_err(reject)?;
        let meeting = a.meeting_id;
        let deleted = deleted_meetings::is_deleted(tx, meeting).await;
        if deleted.map_err(retry)? {
            tracing::info!(%meeting, "the meeting was deleted; its analysis makes no todos");
            return Ok(BTreeSet::new());
        }
        meetings::upsert(tx, meeting, None, &a.meeting_title, now_millis())
            .await
            .map_err(retry)?;
        let ids: Vec<Person> = a
            .participant_ids
            .iter()
            .map(|id| Person {
                id: *id,
                name: String::new(),
            })
            .collect();
        meetings::add_participants(tx, meeting, &ids)
            .await
            .map_err(retry)?;
        let owner = meetings::owner(tx, meeting).await.map_err(retry)?.flatten();
        let people = meetings::people(tx, meeting).await.map_err(retry)?;
        let candidates = a
            .action_items
            .iter()
            .filter_map(|item| candidate(item, &people, state.offset))
            .collect();
        let done = ingest(state, tx, meeting, owner, Source::Ai, candidates)
            .await
            .map_err(retry)?;
        tracing::info!(%meeting, created = done.created, merged = done.merged, "analysis ingested");
        Ok(done.touched)
    }
}
