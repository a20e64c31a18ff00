use thiserror::Error;

/// Errors raised by the storage layer. The application layer decides what they mean.
#[derive(Debug, Error)]
pub enum StoreError {
    #[error("invalid database url `{url}`: {reason}")]
    InvalidUrl { url: String, reason: String },
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    #[error("migration {version} ({name}) failed: {source}")]
    Migration {
        version: i64,
        name: String,
        #[source]
        source: sqlx::Error,
    },
    #[error("migration {version} was applied as `{applied}` but the code calls it `{expected}`")]
    MigrationMismatch {
        version: i64,
        applied: String,
        expected: String,
    },
}

impl StoreError {
    /// True when the error is a unique-constraint violation (SQLite and PostgreSQL alike).
    pub fn is_unique_violation(&self) -> bool {
        match self {
            StoreError::Database(sqlx::Error::Database(e)) => {
                matches!(e.kind(), sqlx::error::ErrorKind::UniqueViolation)
            }
            _ => false,
        }
    }
}
