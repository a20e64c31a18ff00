//! Versioned migrations, applied in order at start-up inside one transaction each.
//!
//! SQL is written once. The few types that differ between SQLite and PostgreSQL are spelled
//! with tokens that [`Migration::render`] replaces:
//!
//! | token | SQLite | PostgreSQL |
//! |---|---|---|
//! | `{{blob}}` | `BLOB` | `BYTEA` |
//! | `{{serial}}` | `INTEGER PRIMARY KEY AUTOINCREMENT` | `BIGSERIAL PRIMARY KEY` |

use crate::{Db, Dialect, StoreError};

/// One schema change. `version`s are unique and increasing within a service.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

impl Migration {
    pub const fn new(version: i64, name: &'static str, sql: &'static str) -> Self {
        Self { version, name, sql }
    }

    /// The SQL for `dialect`, tokens replaced.
    pub fn render(&self, dialect: Dialect) -> String {
        match dialect {
            Dialect::Sqlite => self
                .sql
                .replace("{{blob}}", "BLOB")
                .replace("{{serial}}", "INTEGER PRIMARY KEY AUTOINCREMENT"),
            Dialect::Postgres => self
                .sql
                .replace("{{blob}}", "BYTEA")
                .replace("{{serial}}", "BIGSERIAL PRIMARY KEY"),
        }
    }
}

impl Db {
    /// Applies every migration of `set` not yet recorded in `_migrations` (per `scope`, so
    /// platform crates and the service can keep separate version sequences in one database).
    pub async fn migrate(&self, scope: &str, set: &[Migration]) -> Result<(), StoreError> {
        sqlx::query(
            "CREATE TABLE IF NOT EXISTS _migrations (\
               scope TEXT NOT NULL, version BIGINT NOT NULL, name TEXT NOT NULL, \
               applied_at BIGINT NOT NULL, PRIMARY KEY (scope, version))",
        )
        .execute(self.writer())
        .await?;
        for m in set {
            let applied: Option<(String,)> =
                sqlx::query_as("SELECT name FROM _migrations WHERE scope = $1 AND version = $2")
                    .bind(scope)
                    .bind(m.version)
                    .fetch_optional(self.writer())
                    .await?;
            if let Some((name,)) = applied {
                if name != m.name {
                    return Err(StoreError::MigrationMismatch {
                        version: m.version,
                        applied: name,
                        expected: m.name.to_string(),
                    });
                }
                continue;
            }
            let wrap = |source| StoreError::Migration {
                version: m.version,
                name: m.name.to_string(),
                source,
            };
            let mut tx = self.begin().await?;
            for stmt in split_statements(&m.render(self.dialect())) {
                sqlx::query(&stmt).execute(&mut *tx).await.map_err(wrap)?;
            }
            sqlx::query(
                "INSERT INTO _migrations (scope, version, name, applied_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(scope)
            .bind(m.version)
            .bind(m.name)
            .bind(crate::now_millis())
            .execute(&mut *tx)
            .await
            .map_err(wrap)?;
            tx.commit().await.map_err(wrap)?;
            tracing::info!(
                scope,
                version = m.version,
                name = m.name,
                "migration applied"
            );
        }
        Ok(())
    }
}

/// Splits a script on `;` at line ends. Migrations keep one statement per `;`.
fn split_statements(sql: &str) -> Vec<String> {
    sql.split(';')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}
