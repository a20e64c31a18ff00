//! SQL, written once for SQLite and PostgreSQL: [`users`], [`refresh`] token families and
//! signing [`keys`].

pub(crate) mod keys;
pub(crate) mod refresh;
pub(crate) mod users;
