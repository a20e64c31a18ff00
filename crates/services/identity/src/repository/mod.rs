//! SQL, written once for SQLite and PostgreSQL: [`users`], [`refresh`] token families,
//! signing [`keys`] and pending [`email_changes`].

pub(crate) mod email_changes;
pub(crate) mod keys;
pub(crate) mod refresh;
pub(crate) mod users;
