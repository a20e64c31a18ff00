//! Relational storage for Quorum services.
//!
//! One database per service: an SQLite file in the embedded mode, a PostgreSQL database in
//! production. Both are reached through sqlx's `Any` driver so that every repository and every
//! migration is written once. Portable SQL rules (see `ARCHITECTURE.md`):
//!
//! - placeholders are `$1, $2, …` (SQLite and PostgreSQL both accept them);
//! - integers are `BIGINT` and decoded as `i64`; timestamps are epoch milliseconds (`BIGINT`);
//!   booleans are `BIGINT` 0/1; ids and JSON are `TEXT`;
//! - migrations may use the tokens listed in [`migrate`] for the few types that differ.
//!
//! Layout: [`db`] opens pools (one writer and several readers for SQLite, one pool for
//! PostgreSQL), [`migrate`] runs versioned migrations at start-up, [`error`] is the error type,
//! [`private`] keeps the files on disk (databases, recordings, chunks) to the server's user.

mod db;
mod error;
pub mod idempotency;
pub mod migrate;
pub mod private;

pub use db::{now_millis, Db, DbOptions, Dialect};
pub use error::StoreError;
pub use migrate::Migration;

/// The transaction type repositories receive.
pub type Tx = sqlx::Transaction<'static, sqlx::Any>;
/// A row from the `Any` driver.
pub type Row = sqlx::any::AnyRow;
pub use sqlx;
