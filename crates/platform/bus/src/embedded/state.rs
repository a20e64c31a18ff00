//! What the broker keeps in memory: the declared topology, one wake-up signal per queue, and
//! the ids of deliveries alive in this process.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use quorum_store::Db;
use tokio::sync::Notify;
use tokio_util::sync::CancellationToken;

use super::EmbeddedOptions;
use crate::topology::topic_matches;
use crate::{BusError, QueueSpec, Topology};

#[derive(Default)]
pub(super) struct Routes {
    pub(super) queues: HashMap<String, QueueSpec>,
    /// exchange -> (pattern, queue)
    pub(super) exchanges: HashMap<String, Vec<(String, String)>>,
}

pub(super) struct Inner {
    pub(super) db: Db,
    pub(super) options: EmbeddedOptions,
    pub(super) routes: RwLock<Routes>,
    notifies: Mutex<HashMap<String, Arc<Notify>>>,
    /// Row ids claimed by a delivery object that still exists; the lease sweep leaves them.
    live: Mutex<HashSet<i64>>,
    pub(super) closed: CancellationToken,
}

impl Inner {
    pub(super) fn new(db: Db, options: EmbeddedOptions, queues: Vec<QueueSpec>) -> Self {
        let routes = Routes {
            queues: queues.into_iter().map(|q| (q.name.clone(), q)).collect(),
            exchanges: HashMap::new(),
        };
        Self {
            db,
            options,
            routes: RwLock::new(routes),
            notifies: Mutex::new(HashMap::new()),
            live: Mutex::new(HashSet::new()),
            closed: CancellationToken::new(),
        }
    }

    /// The queues `topology` declares, plus each one's dead-letter queue unless it is declared
    /// explicitly (then that declaration wins).
    pub(super) fn expand(topology: &Topology) -> Vec<QueueSpec> {
        topology.queues_with_dead_letter_queues()
    }

    /// Records `topology` in memory. Implicit dead-letter queues never replace a queue that
    /// is already known.
    pub(super) fn apply(&self, topology: &Topology, queues: &[QueueSpec]) {
        let mut routes = self.routes.write().unwrap_or_else(PoisonError::into_inner);
        for spec in queues {
            let explicit = topology.queues.iter().any(|q| q.name == spec.name);
            if explicit || !routes.queues.contains_key(&spec.name) {
                routes.queues.insert(spec.name.clone(), spec.clone());
            }
        }
        for e in &topology.exchanges {
            routes.exchanges.entry(e.clone()).or_default();
        }
        for b in &topology.bindings {
            let list = routes.exchanges.entry(b.exchange.clone()).or_default();
            let entry = (b.pattern.clone(), b.queue.clone());
            if !list.contains(&entry) {
                list.push(entry);
            }
        }
    }

    pub(super) fn queue(&self, name: &str) -> Result<QueueSpec, BusError> {
        let routes = self.routes.read().unwrap_or_else(PoisonError::into_inner);
        routes
            .queues
            .get(name)
            .cloned()
            .ok_or_else(|| BusError::UnknownQueue(name.to_string()))
    }

    /// The queues `routing_key` reaches through `exchange` (each once).
    pub(super) fn route(
        &self,
        exchange: &str,
        routing_key: &str,
    ) -> Result<Vec<QueueSpec>, BusError> {
        let routes = self.routes.read().unwrap_or_else(PoisonError::into_inner);
        let bindings = routes
            .exchanges
            .get(exchange)
            .ok_or_else(|| BusError::UnknownExchange(exchange.to_string()))?;
        let names: BTreeSet<&String> = bindings
            .iter()
            .filter(|(pattern, _)| topic_matches(pattern, routing_key))
            .map(|(_, queue)| queue)
            .collect();
        names
            .into_iter()
            .map(|n| {
                routes
                    .queues
                    .get(n)
                    .cloned()
                    .ok_or_else(|| BusError::UnknownQueue(n.clone()))
            })
            .collect()
    }

    pub(super) fn notify(&self, queue: &str) -> Arc<Notify> {
        let mut map = self.notifies.lock().unwrap_or_else(PoisonError::into_inner);
        map.entry(queue.to_string()).or_default().clone()
    }

    /// Wakes every consumer waiting on `queue`.
    pub(super) fn wake(&self, queue: &str) {
        self.notify(queue).notify_waiters();
    }

    pub(super) fn mark_live(&self, ids: impl IntoIterator<Item = i64>) {
        let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        live.extend(ids);
    }

    pub(super) fn unmark_live(&self, id: i64) {
        let mut live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        live.remove(&id);
    }

    pub(super) fn is_live(&self, id: i64) -> bool {
        let live = self.live.lock().unwrap_or_else(PoisonError::into_inner);
        live.contains(&id)
    }
}
