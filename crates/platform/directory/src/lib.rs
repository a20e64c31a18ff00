//! The user directory, written once: every service that shows, checks or reaches users
//! (meeting, transcript, todo, notification) keeps its own local copy of each user's name,
//! e-mail and locale, fed by the identity service's `user.created`, `user.updated` and
//! `user.deleted` events (event-carried state: no service calls identity to name a user).
//!
//! - **Schema**: [`MIGRATIONS`] (scope [`SCOPE`]) create `user_directory` — one row per user
//!   ever heard of, with a tombstone (`deleted = 1`, name and e-mail blanked) for a deleted
//!   one — and the view `live_users` (the users not deleted). Services read names through
//!   `live_users` in their joins, or through [`lookup`] and [`unknown`].
//! - **Events may arrive out of order** (several workers, redeliveries, a retried event
//!   overtaken by a later one). A change only wins over a row whose `updated_at` (the
//!   event's `occurredAt`) is not newer; a deletion always wins and is final, so a late
//!   `user.updated` never brings a deleted user back (user ids are never reused).
//! - **Consumer**: [`UserEvents`] is the [`quorum_bus::Apply`] each service runs on its own
//!   `<service>.user.queue` with [`quorum_bus::Consumer`] (inbox row and change in one
//!   transaction); [`UserEvents::on_change`] adds what the service does after a change is
//!   committed (evict the cached lists that show the user's name).

use async_trait::async_trait;
use quorum_bus::{payload, Apply, Envelope, HandleError, Subscription};
use quorum_contracts::events::{self, UserChanged, UserDeleted};
use quorum_contracts::exchanges;
use quorum_store::sqlx::{self, AnyConnection, Row as _};
use quorum_store::{Db, Migration, StoreError, Tx};
use uuid::Uuid;

/// The migration scope of the directory's tables in a service's database.
pub const SCOPE: &str = "directory";

/// A service's directory subscription: every `user.*` event, on the service's own `queue`.
pub const fn subscription(queue: &'static str) -> Subscription {
    Subscription::new(queue, &[(exchanges::USER, "user.*")])
}

/// The directory's schema (portable SQL, see `quorum_store`).
pub const MIGRATIONS: &[Migration] = &[Migration::new(
    1,
    "user_directory",
    "CREATE TABLE user_directory (
        user_id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        email TEXT NOT NULL,
        locale TEXT,
        deleted BIGINT NOT NULL DEFAULT 0,
        updated_at BIGINT NOT NULL
    );
    CREATE VIEW live_users AS
        SELECT user_id, name, email, locale, updated_at FROM user_directory WHERE deleted = 0",
)];

/// Creates or updates the directory's tables in `db`. Run before the service's own
/// migrations (those that copy an older per-service table into it).
pub async fn migrate(db: &Db) -> Result<(), StoreError> {
    db.migrate(SCOPE, MIGRATIONS).await
}

/// A user as the directory knows them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: Uuid,
    pub name: String,
    pub email: String,
    /// Preferred language for messages (`ko` or `en`), when the user chose one.
    pub locale: Option<String>,
}

/// The live entry of `user`: `None` when the directory never heard of them or they were
/// deleted.
pub async fn lookup(conn: &mut AnyConnection, user: Uuid) -> Result<Option<User>, StoreError> {
    let row = sqlx::query("SELECT name, email, locale FROM live_users WHERE user_id = $1")
        .bind(user.to_string())
        .fetch_optional(conn)
        .await?;
    row.map(|r| {
        Ok(User {
            id: user,
            name: r.try_get("name")?,
            email: r.try_get("email")?,
            locale: r.try_get("locale")?,
        })
    })
    .transpose()
}

/// Those of `users` that are not live users (never heard of, or deleted), in the order
/// given.
pub async fn unknown(conn: &mut AnyConnection, users: &[Uuid]) -> Result<Vec<Uuid>, StoreError> {
    let mut unknown = Vec::new();
    for user in users {
        let known = sqlx::query("SELECT 1 FROM live_users WHERE user_id = $1")
            .bind(user.to_string())
            .fetch_optional(&mut *conn)
            .await?
            .is_some();
        if !known {
            unknown.push(*user);
        }
    }
    Ok(unknown)
}

/// Applies one `user.*` event inside `tx`; returns the user whose entry the event is about
/// (`None` for an event of another kind, which is ignored).
pub async fn apply(tx: &mut Tx, envelope: &Envelope) -> Result<Option<Uuid>, HandleError> {
    match envelope.kind.as_str() {
        events::USER_CREATED | events::USER_UPDATED => {
            let u: UserChanged = payload(envelope)?;
            sqlx::query(
                "INSERT INTO user_directory (user_id, name, email, locale, deleted, updated_at) \
                 VALUES ($1, $2, $3, $4, 0, $5) \
                 ON CONFLICT (user_id) DO UPDATE SET name = excluded.name, \
                 email = excluded.email, locale = excluded.locale, \
                 updated_at = excluded.updated_at \
                 WHERE user_directory.deleted = 0 \
                 AND user_directory.updated_at <= excluded.updated_at",
            )
            .bind(u.user_id.to_string())
            .bind(&u.name)
            .bind(&u.email)
            .bind(u.locale.clone())
            .bind(u.occurred_at.timestamp_millis())
            .execute(&mut **tx)
            .await?;
            Ok(Some(u.user_id))
        }
        events::USER_DELETED => {
            let u: UserDeleted = payload(envelope)?;
            // The name and address are forgotten; the tombstone keeps later (or late)
            // changes out. Its time is the newest seen, so it also outlives a late change.
            sqlx::query(
                "INSERT INTO user_directory (user_id, name, email, locale, deleted, updated_at) \
                 VALUES ($1, '', '', NULL, 1, $2) \
                 ON CONFLICT (user_id) DO UPDATE SET name = '', email = '', locale = NULL, \
                 deleted = 1, updated_at = CASE WHEN user_directory.updated_at > \
                 excluded.updated_at THEN user_directory.updated_at ELSE excluded.updated_at END",
            )
            .bind(u.user_id.to_string())
            .bind(u.occurred_at.timestamp_millis())
            .execute(&mut **tx)
            .await?;
            Ok(Some(u.user_id))
        }
        other => {
            tracing::debug!(kind = other, "user event ignored");
            Ok(None)
        }
    }
}

/// What a service does once a user's entry changed (committed): typically evict the cached
/// lists that show the user's name.
#[async_trait]
pub trait OnChange: Send + Sync + 'static {
    async fn changed(&self, user: Uuid);
}

/// Nothing to do after a change.
#[async_trait]
impl OnChange for () {
    async fn changed(&self, _user: Uuid) {}
}

/// The `user.*` consumer: keeps the directory, then calls its [`OnChange`].
pub struct UserEvents<H = ()> {
    name: &'static str,
    on_change: H,
}

impl UserEvents<()> {
    /// A consumer called `name` in the inbox (e.g. `meeting.directory`).
    pub fn new(name: &'static str) -> Self {
        Self {
            name,
            on_change: (),
        }
    }
}

impl<H> UserEvents<H> {
    /// Runs `hook` after each committed change.
    pub fn on_change<G: OnChange>(self, hook: G) -> UserEvents<G> {
        UserEvents {
            name: self.name,
            on_change: hook,
        }
    }
}

#[async_trait]
impl<H: OnChange> Apply for UserEvents<H> {
    type Outcome = Option<Uuid>;

    fn name(&self) -> &'static str {
        self.name
    }

    async fn apply(&self, tx: &mut Tx, envelope: &Envelope) -> Result<Option<Uuid>, HandleError> {
        apply(tx, envelope).await
    }

    async fn committed(&self, user: Option<Uuid>) {
        if let Some(user) = user {
            tracing::info!(%user, consumer = self.name, "directory updated");
            self.on_change.changed(user).await;
        }
    }
}
