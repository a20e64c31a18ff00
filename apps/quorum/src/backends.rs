//! The backends one process shares between its parts: the stores (in-process, or Redis
//! with `backends.redis_url`) and the broker (embedded, or RabbitMQ with
//! `backends.amqp_url`).

use std::path::Path;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use quorum_auth::{MemoryRevocationList, RevocationList, SharedRevocationList};
use quorum_bus::{Broker, EmbeddedBroker, RabbitBroker, RabbitOptions};
use quorum_cache::{CacheStore, MemoryStore, RedisStore, TieredStore};
use quorum_store::Db;
use quorum_tasks::{MemoryTaskStore, RedisTaskStore, TaskStore};

use crate::services::open_db;
use crate::Settings;

/// The stores every part of this process shares: in-process, or with `backends.redis_url`
/// in Redis (the cache behind an in-process L1; revoked tokens and task status shared by
/// every replica).
pub(crate) struct Stores {
    pub(crate) cache: Arc<dyn CacheStore>,
    pub(crate) revocations: Arc<dyn RevocationList>,
    pub(crate) tasks: Arc<dyn TaskStore>,
}

pub(crate) async fn shared_stores(settings: &Settings) -> anyhow::Result<Stores> {
    let redis = settings.backends.redis_url.expose().trim();
    if redis.is_empty() {
        return Ok(Stores {
            cache: Arc::new(MemoryStore::new(settings.cache.max_entries)),
            revocations: Arc::new(MemoryRevocationList::new()),
            tasks: Arc::new(MemoryTaskStore::new()),
        });
    }
    let redis_store = || {
        RedisStore::new(redis, &settings.backends.redis_prefix)
            .map_err(|e| anyhow::anyhow!("backends.redis_url: {e}"))
    };
    let l2 = redis_store()?;
    if let Err(e) = l2.ping().await {
        // Not fatal: the services work without the cache, only slower.
        tracing::warn!(error = %e, "Redis is not answering; reads go to the databases");
    }
    let cache = TieredStore::new(
        l2,
        settings.cache.max_entries,
        Duration::from_secs(settings.cache.l1_ttl_secs.max(1)),
    );
    let revocations = SharedRevocationList::new(Arc::new(redis_store()?));
    let tasks = RedisTaskStore::new(redis, &settings.backends.redis_prefix)
        .map_err(|e| anyhow::anyhow!("backends.redis_url: {e}"))?;
    Ok(Stores {
        cache: Arc::new(cache),
        revocations: Arc::new(revocations),
        tasks: Arc::new(tasks),
    })
}

/// The broker named by `backends.amqp_url` (RabbitMQ) or the embedded one (its database is
/// returned to be closed last).
pub(crate) async fn shared_broker(
    data: &Path,
    settings: &Settings,
) -> anyhow::Result<(Arc<dyn Broker>, Option<Db>)> {
    let amqp = settings.backends.amqp_url.expose().trim();
    if amqp.is_empty() {
        let db = open_db(settings, data, "broker").await?;
        let broker = EmbeddedBroker::with_db(db.clone())
            .await
            .context("opening the embedded broker")?;
        return Ok((Arc::new(broker), Some(db)));
    }
    let options = RabbitOptions {
        quorum_queues: settings.backends.amqp_quorum_queues,
        connection_name: format!("quorum {}", env!("CARGO_PKG_VERSION")),
        ..RabbitOptions::default()
    };
    let broker = RabbitBroker::connect(amqp, options)
        .await
        .context("backends.amqp_url: connecting to RabbitMQ")?;
    Ok((Arc::new(broker), None))
}
