use std::path::Path;
use std::str::FromStr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{AnyPool, Executor};

use crate::StoreError;

/// Which SQL engine a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    Sqlite,
    Postgres,
}

/// Pool settings.
#[derive(Debug, Clone)]
pub struct DbOptions {
    /// Maximum connections for readers (SQLite) or for the single pool (PostgreSQL).
    pub max_connections: u32,
    /// How long a statement waits on a locked SQLite database before failing.
    pub busy_timeout: Duration,
    /// How long to wait for a free connection.
    pub acquire_timeout: Duration,
}

impl Default for DbOptions {
    fn default() -> Self {
        Self {
            max_connections: 8,
            busy_timeout: Duration::from_secs(5),
            acquire_timeout: Duration::from_secs(5),
        }
    }
}

/// A service's database: a writer pool and a reader pool.
///
/// SQLite allows one writer at a time; giving writes their own single-connection pool turns
/// lock contention into an orderly queue instead of `SQLITE_BUSY` errors, while readers run in
/// parallel under WAL. For PostgreSQL both handles are the same pool.
#[derive(Clone, Debug)]
pub struct Db {
    writer: AnyPool,
    reader: AnyPool,
    dialect: Dialect,
    /// Tells this database (and its clones) from the others of the process.
    id: u64,
    /// When expired `Idempotency-Key` records were last pruned (epoch ms).
    pruned_at: Arc<AtomicI64>,
}

impl Db {
    /// Connects to `url`: `sqlite://path/to/file.db` (created if missing) or
    /// `postgres://user@host/db`.
    pub async fn connect(url: &str, options: &DbOptions) -> Result<Self, StoreError> {
        sqlx::any::install_default_drivers();
        let dialect = if url.starts_with("sqlite:") {
            Dialect::Sqlite
        } else if url.starts_with("postgres:") || url.starts_with("postgresql:") {
            Dialect::Postgres
        } else {
            return Err(StoreError::InvalidUrl {
                url: url.to_string(),
                reason: "expected a sqlite:// or postgres:// url".into(),
            });
        };
        match dialect {
            Dialect::Sqlite => Self::connect_sqlite(url, options).await,
            Dialect::Postgres => {
                let opts =
                    AnyConnectOptions::from_str(url).map_err(|e| StoreError::InvalidUrl {
                        url: url.to_string(),
                        reason: e.to_string(),
                    })?;
                let pool = AnyPoolOptions::new()
                    .max_connections(options.max_connections)
                    .acquire_timeout(options.acquire_timeout)
                    .connect_with(opts)
                    .await?;
                Ok(Self::new(pool.clone(), pool, Dialect::Postgres))
            }
        }
    }

    /// Creates the PostgreSQL database `url` names when it does not exist yet (connecting to
    /// the server's `postgres` database with the same credentials); returns whether it
    /// created it. Several processes may race here: losing the race is not an error.
    pub async fn create_postgres_database(url: &str) -> Result<bool, StoreError> {
        use sqlx::postgres::{PgConnectOptions, PgConnection};
        use sqlx::Connection;

        let invalid = |reason: String| StoreError::InvalidUrl {
            url: url.to_string(),
            reason,
        };
        let options = PgConnectOptions::from_str(url).map_err(|e| invalid(e.to_string()))?;
        let name = options
            .get_database()
            .ok_or_else(|| invalid("it names no database".into()))?
            .to_string();
        if name.is_empty()
            || name.len() > 63
            || !name
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        {
            return Err(invalid(format!(
                "database name `{name}`: use 1-63 letters, digits, `_` or `-`"
            )));
        }
        let mut admin = PgConnection::connect_with(&options.clone().database("postgres")).await?;
        let exists: Option<i32> =
            sqlx::query_scalar("SELECT 1 FROM pg_database WHERE datname = $1")
                .bind(&name)
                .fetch_optional(&mut admin)
                .await?;
        let created = if exists.is_some() {
            false
        } else {
            match admin
                .execute(format!("CREATE DATABASE \"{name}\"").as_str())
                .await
            {
                Ok(_) => true,
                // 42P04 duplicate_database, 23505: another process created it meanwhile.
                Err(sqlx::Error::Database(e))
                    if matches!(e.code().as_deref(), Some("42P04" | "23505")) =>
                {
                    false
                }
                Err(e) => return Err(e.into()),
            }
        };
        let _ = admin.close().await;
        Ok(created)
    }

    /// Opens (creating if needed) an SQLite database file.
    /// The file, its directory (if new) and its `-wal`/`-shm` are private
    /// ([`crate::private`]): SQLite gives its side files the database file's mode.
    pub async fn open_sqlite(path: &Path, options: &DbOptions) -> Result<Self, StoreError> {
        crate::private::prepare_sqlite(path).map_err(|e| StoreError::InvalidUrl {
            url: path.display().to_string(),
            reason: e.to_string(),
        })?;
        Self::connect(&format!("sqlite://{}?mode=rwc", path.display()), options).await
    }

    async fn connect_sqlite(url: &str, options: &DbOptions) -> Result<Self, StoreError> {
        let url = if url.contains("mode=") {
            url.to_string()
        } else if url.contains('?') {
            format!("{url}&mode=rwc")
        } else {
            format!("{url}?mode=rwc")
        };
        let opts = AnyConnectOptions::from_str(&url).map_err(|e| StoreError::InvalidUrl {
            url: url.clone(),
            reason: e.to_string(),
        })?;
        let busy_ms = options.busy_timeout.as_millis();
        let pragmas = format!(
            "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; \
             PRAGMA busy_timeout = {busy_ms}; PRAGMA foreign_keys = ON;"
        );
        let pragmas_w = pragmas.clone();
        let writer = AnyPoolOptions::new()
            .max_connections(1)
            .acquire_timeout(options.acquire_timeout.max(Duration::from_secs(30)))
            .after_connect(move |conn, _| {
                let p = pragmas_w.clone();
                Box::pin(async move {
                    conn.execute(p.as_str()).await?;
                    Ok(())
                })
            })
            .connect_with(opts.clone())
            .await?;
        let reader = AnyPoolOptions::new()
            .max_connections(options.max_connections.max(1))
            .acquire_timeout(options.acquire_timeout)
            .after_connect(move |conn, _| {
                let p = pragmas.clone();
                Box::pin(async move {
                    conn.execute(p.as_str()).await?;
                    Ok(())
                })
            })
            .connect_with(opts)
            .await?;
        Ok(Self::new(writer, reader, Dialect::Sqlite))
    }

    fn new(writer: AnyPool, reader: AnyPool, dialect: Dialect) -> Self {
        static NEXT: AtomicU64 = AtomicU64::new(1);
        Self {
            writer,
            reader,
            dialect,
            id: NEXT.fetch_add(1, Ordering::Relaxed),
            pruned_at: Arc::default(),
        }
    }

    pub(crate) fn id(&self) -> u64 {
        self.id
    }

    pub(crate) fn pruned_at(&self) -> &AtomicI64 {
        &self.pruned_at
    }

    /// The pool for statements that change data (and for transactions).
    pub fn writer(&self) -> &AnyPool {
        &self.writer
    }

    /// The pool for plain reads.
    pub fn reader(&self) -> &AnyPool {
        &self.reader
    }

    pub fn dialect(&self) -> Dialect {
        self.dialect
    }

    /// Starts a write transaction. During a request carrying an `Idempotency-Key`, the
    /// transaction also marks the key as carried out ([`crate::idempotency`]).
    pub async fn begin(&self) -> Result<crate::Tx, StoreError> {
        let mut tx = self.writer.begin().await?;
        crate::idempotency::mark(self, &mut tx).await?;
        Ok(tx)
    }

    /// A cheap round trip, for readiness checks.
    pub async fn ping(&self) -> Result<(), StoreError> {
        sqlx::query("SELECT 1").execute(&self.reader).await?;
        Ok(())
    }

    /// Closes both pools, waiting for connections to be returned.
    pub async fn close(&self) {
        self.writer.close().await;
        self.reader.close().await;
    }
}

/// Current time as epoch milliseconds, the storage format of every timestamp.
pub fn now_millis() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
