//! The Redis store ([`RedisStore`]) and the two-level store the services use in production
//! ([`TieredStore`]): an in-process L1 in front of Redis, with evictions broadcast to every
//! replica over Redis pub/sub so a write on one replica is never served stale from another.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use async_trait::async_trait;
use futures::StreamExt;
use redis::aio::{ConnectionManager, ConnectionManagerConfig};
use redis::AsyncCommands;
use tokio_util::sync::CancellationToken;

use crate::{CacheError, CacheStore, MemoryStore};

/// How long a command may take before the cache counts as unavailable (reads then go to
/// the database).
const RESPONSE_TIMEOUT: Duration = Duration::from_millis(500);
/// While Redis is unreachable, a new connection is tried at most this often.
const RECONNECT_EVERY: Duration = Duration::from_secs(1);

fn fail(e: &redis::RedisError) -> CacheError {
    CacheError(format!("redis: {e}"))
}

/// A lazily made, self-healing connection to Redis that fails fast while Redis is away:
/// after a connection failure, calls fail at once (instead of each waiting on a dead server)
/// until the next reconnect attempt, at most one a second. Shared by the cache, the
/// revocation list and the gateway's rate limiter.
pub struct RedisLink {
    client: redis::Client,
    state: Mutex<Link>,
    /// Held while connecting, so concurrent callers wait for that attempt instead of
    /// failing.
    connecting: tokio::sync::Mutex<()>,
}

#[derive(Default)]
struct Link {
    conn: Option<ConnectionManager>,
    last_try: Option<Instant>,
}

impl RedisLink {
    /// A link to `url` (`redis://host:6379/0`); nothing is connected yet. Fails only on a
    /// malformed URL.
    pub fn new(url: &str) -> Result<Self, CacheError> {
        let client = redis::Client::open(url).map_err(|e| fail(&e))?;
        Ok(Self {
            client,
            state: Mutex::new(Link::default()),
            connecting: tokio::sync::Mutex::new(()),
        })
    }

    /// The connection, made now if there is none and a reconnect attempt is due.
    pub async fn conn(&self) -> Result<ConnectionManager, CacheError> {
        if let Some(conn) = self.current() {
            return Ok(conn);
        }
        let _connecting = self.connecting.lock().await;
        {
            let mut link = self.state.lock().unwrap_or_else(PoisonError::into_inner);
            if let Some(conn) = &link.conn {
                return Ok(conn.clone());
            }
            if link.last_try.is_some_and(|t| t.elapsed() < RECONNECT_EVERY) {
                return Err(CacheError("redis: not connected (retrying)".into()));
            }
            link.last_try = Some(Instant::now());
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(RESPONSE_TIMEOUT))
            .set_response_timeout(Some(RESPONSE_TIMEOUT))
            .set_number_of_retries(1)
            .set_max_delay(RECONNECT_EVERY);
        let conn = self.client.get_connection_manager_with_config(config).await;
        let conn = self.checked(conn)?;
        let mut link = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(link.conn.get_or_insert(conn).clone())
    }

    /// The client, for connections of another kind (pub/sub).
    pub fn client(&self) -> &redis::Client {
        &self.client
    }

    fn current(&self) -> Option<ConnectionManager> {
        let link = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        link.conn.clone()
    }

    /// `result` as a [`CacheError`] result; a connection failure drops the connection.
    pub fn checked<T>(&self, result: redis::RedisResult<T>) -> Result<T, CacheError> {
        result.map_err(|e| {
            if e.is_io_error() || e.is_timeout() || e.is_connection_dropped() {
                let mut link = self.state.lock().unwrap_or_else(PoisonError::into_inner);
                link.conn = None;
                link.last_try = Some(Instant::now());
            }
            fail(&e)
        })
    }
}

/// Cached bytes in Redis under `<prefix><key>`, with per-key TTLs (`SET … PX`), atomic
/// claims (`SET … NX PX`), over a [`RedisLink`]: a process starts, and stays ready, while
/// Redis is down; its calls then fail fast with a [`CacheError`] and [`crate::Cache`] reads
/// from the database.
pub struct RedisStore {
    link: RedisLink,
    prefix: String,
}

impl RedisStore {
    /// A store on `url` (`redis://host:6379/0`); nothing is connected yet. Fails only on a
    /// malformed URL.
    pub fn new(url: &str, prefix: &str) -> Result<Self, CacheError> {
        Ok(Self {
            link: RedisLink::new(url)?,
            prefix: prefix.to_owned(),
        })
    }

    fn key(&self, key: &str) -> String {
        format!("{}{key}", self.prefix)
    }

    async fn conn(&self) -> Result<ConnectionManager, CacheError> {
        self.link.conn().await
    }

    fn checked<T>(&self, result: redis::RedisResult<T>) -> Result<T, CacheError> {
        self.link.checked(result)
    }

    /// Publishes `message` on `channel` (not prefixed).
    async fn publish(&self, channel: &str, message: &str) -> Result<(), CacheError> {
        let mut conn = self.conn().await?;
        let r = conn.publish::<_, _, ()>(channel, message).await;
        self.checked(r)
    }
}

/// KEYS: value, guard; ARGV: value, token, ttl ms. Sets the value and drops the guard only
/// while the guard holds the token.
const SET_IF_GUARDED: &str = r"
if redis.call('GET', KEYS[2]) == ARGV[2] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
  redis.call('DEL', KEYS[2])
  return 1
end
return 0
";

fn millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

#[async_trait]
impl CacheStore for RedisStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        let mut conn = self.conn().await?;
        let r = conn.get(self.key(key)).await;
        self.checked(r)
    }

    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<(), CacheError> {
        let mut conn = self.conn().await?;
        let r = conn
            .pset_ex::<_, _, ()>(self.key(key), value, millis(ttl))
            .await;
        self.checked(r)
    }

    async fn set_if_absent(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        let mut conn = self.conn().await?;
        let stored: redis::RedisResult<Option<String>> = redis::cmd("SET")
            .arg(self.key(key))
            .arg(value)
            .arg("NX")
            .arg("PX")
            .arg(millis(ttl))
            .query_async(&mut conn)
            .await;
        Ok(self.checked(stored)?.is_some())
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        let mut conn = self.conn().await?;
        let r = conn.del::<_, ()>(self.key(key)).await;
        self.checked(r)
    }

    async fn set_if_guarded(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Duration,
        guard: &str,
        token: &[u8],
    ) -> Result<bool, CacheError> {
        let mut conn = self.conn().await?;
        static SCRIPT: std::sync::LazyLock<redis::Script> =
            std::sync::LazyLock::new(|| redis::Script::new(SET_IF_GUARDED));
        let stored: redis::RedisResult<i64> = SCRIPT
            .key(self.key(key))
            .key(self.key(guard))
            .arg(value)
            .arg(token)
            .arg(millis(ttl))
            .invoke_async(&mut conn)
            .await;
        Ok(self.checked(stored)? == 1)
    }

    async fn ping(&self) -> Result<(), CacheError> {
        let mut conn = self.conn().await?;
        let r = redis::cmd("PING").query_async::<String>(&mut conn).await;
        self.checked(r).map(|_| ())
    }

    fn kind(&self) -> &'static str {
        "redis"
    }

    fn shared(&self) -> bool {
        true
    }
}

/// L1 (in-process, short TTL) in front of L2 (Redis). Reads try L1, then Redis (filling
/// L1); writes go to Redis and L1; a write or delete is announced on `<prefix>evictions`,
/// where every other replica's listener removes the key from its own L1.
/// When the listener reconnects it clears the whole L1 (evictions may have been missed),
/// and `l1_ttl` bounds how long any L1 entry can outlive a missed eviction.
///
/// While Redis is down, reads of keys in L1 are still served from L1 and the rest fail
/// over to the database; deletes still clear the local L1, but other replicas learn of
/// them only through `l1_ttl` or their listener's reconnect.
pub struct TieredStore {
    l1: Arc<L1>,
    l2: Arc<RedisStore>,
    l1_ttl: Duration,
    channel: String,
    /// Identifies this replica's announcements, so its listener skips them.
    origin: String,
    stop: CancellationToken,
}

impl TieredStore {
    /// Starts the eviction listener; it runs until the store is dropped.
    pub fn new(l2: RedisStore, l1_max_entries: u64, l1_ttl: Duration) -> Self {
        let channel = format!("{}evictions", l2.prefix);
        let l1 = Arc::new(L1 {
            store: MemoryStore::new(l1_max_entries),
            epoch: AtomicU64::new(0),
        });
        let stop = CancellationToken::new();
        let origin = format!("{:016x}", crate::random_u64());
        tokio::spawn(listen(
            l2.link.client().clone(),
            channel.clone(),
            origin.clone(),
            l1.clone(),
            stop.clone(),
        ));
        Self {
            l1,
            l2: Arc::new(l2),
            l1_ttl,
            channel,
            origin,
            stop,
        }
    }

    /// Tells the other replicas to drop `key` from their L1.
    async fn announce(&self, key: &str) -> Result<(), CacheError> {
        self.l2
            .publish(&self.channel, &format!("{}\n{key}", self.origin))
            .await
    }
}

impl Drop for TieredStore {
    fn drop(&mut self) {
        self.stop.cancel();
    }
}

/// Removes evicted keys from `l1` as other replicas announce them.
async fn listen(
    client: redis::Client,
    channel: String,
    origin: String,
    l1: Arc<L1>,
    stop: CancellationToken,
) {
    let mut pause = Duration::from_millis(100);
    loop {
        let attempt = async {
            let mut pubsub = client.get_async_pubsub().await?;
            pubsub.subscribe(&channel).await?;
            // Evictions published while we were not listening are lost: start clean.
            l1.clear();
            tracing::debug!(%channel, "listening for cache evictions");
            let mut messages = pubsub.on_message();
            while let Some(msg) = messages.next().await {
                let payload = String::from_utf8_lossy(msg.get_payload_bytes()).into_owned();
                match payload.split_once('\n') {
                    Some((from, _)) if from == origin => {}
                    Some((_, key)) => l1.remove(key).await,
                    None => l1.remove(&payload).await,
                }
            }
            Ok::<(), redis::RedisError>(())
        };
        tokio::select! {
            () = stop.cancelled() => return,
            result = attempt => {
                if let Err(e) = result {
                    tracing::warn!(error = %e, "cache eviction listener lost Redis; retrying");
                }
                l1.clear();
            }
        }
        tokio::select! {
            () = stop.cancelled() => return,
            () = tokio::time::sleep(pause) => {}
        }
        pause = (pause * 2).min(Duration::from_secs(5));
    }
}

/// The in-process level, with a counter bumped by every removal so a read that raced one
/// does not put back what was removed.
struct L1 {
    store: MemoryStore,
    epoch: AtomicU64,
}

impl L1 {
    async fn remove(&self, key: &str) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        let _ = self.store.delete(key).await;
    }

    fn clear(&self) {
        self.epoch.fetch_add(1, Ordering::SeqCst);
        self.store.clear();
    }
}

#[async_trait]
impl CacheStore for TieredStore {
    async fn get(&self, key: &str) -> Result<Option<Vec<u8>>, CacheError> {
        if let Some(bytes) = self.l1.store.get(key).await? {
            return Ok(Some(bytes));
        }
        // A removal while Redis answers may concern this key: then the answer is not kept
        // locally (it could be the value just replaced).
        let epoch = self.l1.epoch.load(Ordering::SeqCst);
        let found = self.l2.get(key).await?;
        if let Some(bytes) = &found {
            if self.l1.epoch.load(Ordering::SeqCst) == epoch {
                self.l1.store.set(key, bytes.clone(), self.l1_ttl).await?;
            }
        }
        Ok(found)
    }

    async fn set(&self, key: &str, value: Vec<u8>, ttl: Duration) -> Result<(), CacheError> {
        self.l2.set(key, value.clone(), ttl).await?;
        self.l1.store.set(key, value, ttl.min(self.l1_ttl)).await?;
        // Another replica may hold the old value in its L1.
        self.announce(key).await
    }

    async fn set_if_absent(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Duration,
    ) -> Result<bool, CacheError> {
        // Claims must hold across replicas: Redis alone decides.
        self.l2.set_if_absent(key, value, ttl).await
    }

    async fn set_if_guarded(
        &self,
        key: &str,
        value: Vec<u8>,
        ttl: Duration,
        guard: &str,
        token: &[u8],
    ) -> Result<bool, CacheError> {
        let epoch = self.l1.epoch.load(Ordering::SeqCst);
        if !self
            .l2
            .set_if_guarded(key, value.clone(), ttl, guard, token)
            .await?
        {
            return Ok(false);
        }
        if self.l1.epoch.load(Ordering::SeqCst) == epoch {
            self.l1.store.set(key, value, ttl.min(self.l1_ttl)).await?;
        }
        self.announce(key).await?;
        Ok(true)
    }

    async fn delete(&self, key: &str) -> Result<(), CacheError> {
        self.l1.remove(key).await;
        let deleted = self.l2.delete(key).await;
        let announced = self.announce(key).await;
        deleted.and(announced)
    }

    async fn ping(&self) -> Result<(), CacheError> {
        self.l2.ping().await
    }

    fn kind(&self) -> &'static str {
        "redis+memory"
    }

    fn shared(&self) -> bool {
        true
    }
}
