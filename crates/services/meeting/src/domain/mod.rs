//! The meeting domain: typed ids, validated inputs and the status machine. Nothing here knows
//! about HTTP or SQL.

mod id;
mod input;
mod status;

pub(crate) use id::MeetingId;
pub(crate) use input::{parse_scheduled_at, title_schema, Agenda, Notes, Title, ValidationError};
pub(crate) use status::{Action, MeetingStatus, TransitionError};
