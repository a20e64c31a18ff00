//! Domain values: the status machine and sources ([`status`]), validated inputs ([`input`]).

mod input;
mod status;

pub(crate) use input::{parse_due_date, title_schema, Title, ValidationError};
pub(crate) use status::{Source, TodoStatus, TransitionError};
