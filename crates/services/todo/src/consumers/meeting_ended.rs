//! `meeting.ended`: remembers the meeting (owner, participants) and turns the explicit
//! action lines of its notes into todos (source `NOTES`, created by the owner).
//!
//! Assignees are matched to participants by name ([`crate::extract::names`]); an unmatched
//! strong mention keeps the name as written, an unmatched weak one becomes part of the
//! title. Due-date phrases resolve against the meeting's local date (the scheduled time,
//! else the end time, in the configured offset) and are cut from the title.

use std::collections::BTreeSet;

use async_trait::async_trait;
use chrono::NaiveDate;
use quorum_bus::{Envelope, HandleError, Subscription};
use quorum_contracts::events::{MeetingEnded, MEETING_ENDED};
use quorum_contracts::exchanges;
use quorum_service::deleted_meetings;
use quorum_store::{now_millis, Tx};
use uuid::Uuid;

use super::{reject, retry, Effects};
use crate::app::AppState;
use crate::domain::{Source, Title};
use crate::extract::dates;
use crate::extract::names::{self, Person};
use crate::extract::notes::{self, NoteItem};
use crate::ingest::{ingest, Candidate};
use crate::repository::{meetings, todos};

pub(crate) const SUBSCRIPTION: Subscription =
    Subscription::new("todo.meeting.queue", &[(exchanges::MEETING, MEETING_ENDED)]);

pub(crate) struct MeetingEndedConsumer;

/// The todo an action line describes.
pub(crate) fn candidate(item: NoteItem, people: &[Person], today: NaiveDate) -> Option<Candidate> {
    let (assignee_id, assignee_name, text) = match &item.assignee {
        Some(m) => match names::find(people, &m.name, m.handle) {
            Some(p) => (Some(p.id), Some(p.name.clone()), item.text),
            None if m.strong => (
                None,
                Some(names::strip_honorific(&m.name).to_string()),
                item.text,
            ),
            None => (None, None, item.full),
        },
        None => (None, None, item.text),
    };
    let (due_date, title) = match dates::resolve(&text, today) {
        Some((d, rest)) if !rest.is_empty() => (Some(d), rest),
        Some((d, _)) => (Some(d), text),
        None => (None, text),
    };
    Some(Candidate {
        title: Title::lenient(&title)?,
        assignee_id,
        assignee_name,
        due_date,
    })
}

#[async_trait]
impl Effects for MeetingEndedConsumer {
    fn name(&self) -> &'static str {
        "todo.meeting_ended"
    }

    async fn apply(
        &self,
        state: &AppState,
        tx: &mut Tx,
        envelope: &Envelope,
    ) -> Result<BTreeSet<Uuid>, HandleError> {
        let e: MeetingEnded = envelope.data_as().map_err(reject)?;
        let meeting = e.meeting_id;
        let deleted = deleted_meetings::is_deleted(tx, meeting).await;
        if deleted.map_err(retry)? {
            tracing::info!(%meeting, "the meeting was deleted; its notes make no todos");
            return Ok(BTreeSet::new());
        }
        meetings::upsert(
            tx,
            meeting,
            Some(e.owner_id),
            &e.meeting_title,
            now_millis(),
        )
        .await
        .map_err(retry)?;
        let mut people: Vec<Person> = e
            .participants
            .iter()
            .map(|p| Person {
                id: p.user_id,
                name: p.name.clone(),
            })
            .collect();
        for id in e.participant_ids.iter().chain([&e.owner_id]) {
            if !people.iter().any(|p| p.id == *id) {
                people.push(Person {
                    id: *id,
                    name: String::new(),
                });
            }
        }
        meetings::add_participants(tx, meeting, &people)
            .await
            .map_err(retry)?;
        let mut touched = BTreeSet::new();
        if todos::adopt(tx, meeting, e.owner_id).await.map_err(retry)? > 0 {
            touched.insert(e.owner_id);
        }
        let people = meetings::people(tx, meeting).await.map_err(retry)?;
        let at = e.scheduled_time.unwrap_or(e.end_time);
        let today = at.with_timezone(&state.offset).date_naive();
        let candidates: Vec<Candidate> = notes::parse(e.notes.as_deref().unwrap_or_default())
            .into_iter()
            .filter_map(|item| candidate(item, &people, today))
            .collect();
        let done = ingest(
            state,
            tx,
            meeting,
            Some(e.owner_id),
            Source::Notes,
            candidates,
        )
        .await
        .map_err(retry)?;
        tracing::info!(%meeting, created = done.created, merged = done.merged, "notes ingested");
        touched.extend(done.touched);
        Ok(touched)
    }
}
