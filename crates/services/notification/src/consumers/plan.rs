//! Who hears about an event, and what the message says. Also records what later events
//! need (a meeting's owner and title, a to-do's creator).
//!
//! | event | recipients |
//! |---|---|
//! | `meeting.created`, `meeting.cancelled` | participants except the owner |
//! | `meeting.ended` | participants |
//! | `transcript.created` | participants |
//! | `transcript.shared` | the new readers, except whoever shared it |
//! | `ai.analysis.completed` | participants |
//! | `todo.created` | the assignee, unless they created it themselves |
//! | `todo.completed` | the creator (else the meeting's owner), unless that is the assignee or whoever completed it |
//!
//! Other events (`meeting.started`, `transcript.verified`, `todo.status_changed`) notify
//! nobody.

use quorum_bus::{Envelope, HandleError};
use quorum_contracts::events::{
    self as ev, AnalysisCompleted, MeetingChanged, MeetingEnded, TodoCreated, TodoStatusChanged,
    TranscriptCreated, TranscriptShared,
};
use quorum_store::sqlx::AnyConnection;
use serde::de::DeserializeOwned;
use serde_json::json;
use uuid::Uuid;

use crate::domain::Kind;
use crate::repository::refs::{self, MeetingRef, TodoRef};
use crate::templates::Facts;

/// What to tell whom.
#[derive(Debug, Clone)]
pub(crate) struct Plan {
    pub(crate) kind: Kind,
    pub(crate) recipients: Vec<Uuid>,
    pub(crate) facts: Facts,
    /// Path in the web app.
    pub(crate) link: String,
    pub(crate) data: serde_json::Value,
    /// The meeting it is about (also in `data`), if any: its deletion deletes what was sent.
    pub(crate) meeting_id: Option<Uuid>,
}

fn payload<T: DeserializeOwned>(e: &Envelope) -> Result<T, HandleError> {
    e.data_as().map_err(HandleError::reject)
}

/// `ids` in order, without duplicates and without `except`.
fn recipients(ids: &[Uuid], except: &[Option<Uuid>]) -> Vec<Uuid> {
    let mut out: Vec<Uuid> = Vec::with_capacity(ids.len());
    for id in ids {
        if !out.contains(id) && !except.contains(&Some(*id)) {
            out.push(*id);
        }
    }
    out
}

fn meeting_facts(title: &str) -> Facts {
    Facts {
        meeting_title: title.to_string(),
        ..Facts::default()
    }
}

pub(crate) async fn plan(
    conn: &mut AnyConnection,
    e: &Envelope,
) -> Result<Option<Plan>, HandleError> {
    let plan = match e.kind.as_str() {
        ev::MEETING_CREATED | ev::MEETING_STARTED | ev::MEETING_CANCELLED => {
            let m: MeetingChanged = payload(e)?;
            remember_meeting(
                conn,
                m.meeting_id,
                m.owner_id,
                &m.meeting_title,
                m.occurred_at,
            )
            .await?;
            let kind = match e.kind.as_str() {
                ev::MEETING_CREATED => Kind::MeetingCreated,
                ev::MEETING_CANCELLED => Kind::MeetingCancelled,
                _ => return Ok(None),
            };
            Plan {
                kind,
                recipients: recipients(&m.participant_ids, &[Some(m.owner_id)]),
                facts: Facts {
                    scheduled: Some(m.scheduled_time),
                    ..meeting_facts(&m.meeting_title)
                },
                link: format!("/meetings/{}", m.meeting_id),
                data: json!({ "meetingId": m.meeting_id }),
                meeting_id: Some(m.meeting_id),
            }
        }
        ev::MEETING_ENDED => {
            let m: MeetingEnded = payload(e)?;
            remember_meeting(
                conn,
                m.meeting_id,
                m.owner_id,
                &m.meeting_title,
                m.occurred_at,
            )
            .await?;
            Plan {
                kind: Kind::MeetingEnded,
                recipients: recipients(&m.participant_ids, &[]),
                facts: Facts {
                    scheduled: m.scheduled_time.or(m.start_time),
                    ..meeting_facts(&m.meeting_title)
                },
                link: format!("/meetings/{}", m.meeting_id),
                data: json!({ "meetingId": m.meeting_id }),
                meeting_id: Some(m.meeting_id),
            }
        }
        ev::TRANSCRIPT_CREATED => {
            let t: TranscriptCreated = payload(e)?;
            Plan {
                kind: Kind::TranscriptCreated,
                recipients: recipients(&t.participant_ids, &[]),
                facts: meeting_facts(&t.meeting_title),
                link: format!("/meetings/{}", t.meeting_id),
                data: json!({ "meetingId": t.meeting_id, "transcriptId": t.transcript_id }),
                meeting_id: Some(t.meeting_id),
            }
        }
        ev::TRANSCRIPT_SHARED => {
            let t: TranscriptShared = payload(e)?;
            Plan {
                kind: Kind::TranscriptShared,
                recipients: recipients(&t.user_ids, &[Some(t.shared_by)]),
                facts: meeting_facts(&t.meeting_title),
                link: format!("/meetings/{}", t.meeting_id),
                data: json!({ "meetingId": t.meeting_id, "transcriptId": t.transcript_id,
                    "sharedBy": t.shared_by }),
                meeting_id: Some(t.meeting_id),
            }
        }
        ev::AI_ANALYSIS_COMPLETED => {
            let a: AnalysisCompleted = payload(e)?;
            Plan {
                kind: Kind::AnalysisCompleted,
                recipients: recipients(&a.participant_ids, &[]),
                facts: Facts {
                    summary: Some(a.summary.clone()),
                    action_items: a.action_items.len(),
                    decisions: a.decisions.len(),
                    ..meeting_facts(&a.meeting_title)
                },
                link: format!("/meetings/{}", a.meeting_id),
                data: json!({ "meetingId": a.meeting_id, "analysisId": a.analysis_id,
                    "transcriptId": a.transcript_id }),
                meeting_id: Some(a.meeting_id),
            }
        }
        ev::TODO_CREATED => {
            let t: TodoCreated = payload(e)?;
            let todo = TodoRef {
                created_by: t.created_by,
                meeting_id: t.meeting_id,
            };
            refs::put_todo(conn, t.todo_id, &todo, &t.title).await?;
            let Some(assignee) = t.assignee_id else {
                return Ok(None);
            };
            Plan {
                kind: Kind::TodoCreated,
                recipients: recipients(&[assignee], &[t.created_by]),
                facts: Facts {
                    todo_title: Some(t.title.clone()),
                    due_date: t.due_date.clone(),
                    ..meeting_facts(&meeting_title(conn, t.meeting_id).await?)
                },
                link: format!("/todos/{}", t.todo_id),
                data: json!({ "todoId": t.todo_id, "meetingId": t.meeting_id }),
                meeting_id: t.meeting_id,
            }
        }
        ev::TODO_COMPLETED => {
            let t: TodoStatusChanged = payload(e)?;
            let todo = refs::todo(conn, t.todo_id).await?;
            let meeting_id = t.meeting_id.or(todo.as_ref().and_then(|r| r.meeting_id));
            let meeting = match meeting_id {
                Some(m) => refs::meeting(conn, m).await?,
                None => None,
            };
            let target = todo
                .and_then(|r| r.created_by)
                .or(meeting.as_ref().map(|m| m.owner_id));
            let Some(target) = target else {
                return Ok(None);
            };
            Plan {
                kind: Kind::TodoCompleted,
                recipients: recipients(&[target], &[t.assignee_id, t.changed_by]),
                facts: Facts {
                    todo_title: Some(t.title.clone()),
                    ..meeting_facts(&meeting.map(|m| m.title).unwrap_or_default())
                },
                link: format!("/todos/{}", t.todo_id),
                data: json!({ "todoId": t.todo_id, "meetingId": meeting_id }),
                meeting_id,
            }
        }
        _ => return Ok(None),
    };
    Ok(Some(plan))
}

async fn remember_meeting(
    conn: &mut AnyConnection,
    meeting: Uuid,
    owner_id: Uuid,
    title: &str,
    at: chrono::DateTime<chrono::Utc>,
) -> Result<(), HandleError> {
    let r = MeetingRef {
        owner_id,
        title: title.to_string(),
    };
    refs::put_meeting(conn, meeting, &r, at.timestamp_millis())
        .await
        .map_err(HandleError::retry)
}

async fn meeting_title(
    conn: &mut AnyConnection,
    meeting: Option<Uuid>,
) -> Result<String, HandleError> {
    let Some(m) = meeting else {
        return Ok(String::new());
    };
    Ok(refs::meeting(conn, m)
        .await?
        .map(|r| r.title)
        .unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::recipients;
    use uuid::Uuid;

    #[test]
    fn recipients_keep_order_and_drop_duplicates_and_exceptions() {
        let (a, b, c) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
        assert_eq!(recipients(&[a, b, a, c], &[Some(b), None]), [a, c]);
        assert!(recipients(&[a], &[Some(a)]).is_empty());
    }
}
