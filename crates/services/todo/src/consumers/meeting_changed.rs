//! `meeting.created` and `meeting.started`: remembers the meeting's owner and participants
//! before it ends, so a todo of a scheduled or running meeting may be assigned to a fellow
//! participant and only participants may add todos to it ([`crate::assign`]).
//!
//! Participants are only ever added (here, by `meeting.ended` and by the analysis): someone
//! announced once stays a participant for todos. A participant added by editing a scheduled
//! meeting (`PUT /api/meetings/{id}`, which announces nothing) is known once it starts.

use std::collections::BTreeSet;

use async_trait::async_trait;
use quorum_bus::{Envelope, HandleError, Subscription};
use quorum_contracts::events::{MeetingChanged, MEETING_CREATED, MEETING_STARTED};
use quorum_contracts::exchanges;
use quorum_service::deleted_meetings;
use quorum_store::{now_millis, Tx};
use uuid::Uuid;

use super::{reject, retry, Effects};
use crate::app::AppState;
use crate::extract::names::Person;
use crate::repository::meetings;

pub(crate) const SUBSCRIPTION: Subscription = Subscription::new(
    "todo.meeting_changed.queue",
    &[
        (exchanges::MEETING, MEETING_CREATED),
        (exchanges::MEETING, MEETING_STARTED),
    ],
);

pub(crate) struct MeetingChangedConsumer;

#[async_trait]
impl Effects for MeetingChangedConsumer {
    fn name(&self) -> &'static str {
        "todo.meeting_changed"
    }

    async fn apply(
        &self,
        _state: &AppState,
        tx: &mut Tx,
        envelope: &Envelope,
    ) -> Result<BTreeSet<Uuid>, HandleError> {
        let m: MeetingChanged = envelope.data_as().map_err(reject)?;
        let meeting = m.meeting_id;
        if deleted_meetings::is_deleted(tx, meeting)
            .await
            .map_err(retry)?
        {
            return Ok(BTreeSet::new());
        }
        meetings::learn(tx, meeting, m.owner_id, &m.meeting_title, now_millis())
            .await
            .map_err(retry)?;
        let people: Vec<Person> = m
            .participant_ids
            .iter()
            .chain([&m.owner_id])
            .map(|id| Person {
                id: *id,
                name: String::new(),
            })
            .collect();
        meetings::add_participants(tx, meeting, &people)
            .await
            .map_err(retry)?;
        // Their cached lists may show the meeting's todos without its title until now.
        Ok(people.into_iter().map(|p| p.id).collect())
    }
}
