//! Single-flight: at most one load per key at a time within one [`crate::Cache`].
//!
//! The first caller to miss becomes the *leader* and registers a `watch` channel under the key;
//! callers that miss while it is registered become *followers* and wait on that channel. The
//! leader publishes [`Outcome::Loaded`] or [`Outcome::Failed`]; dropping the [`Leader`]
//! (finished or cancelled) unregisters the key, and a cancelled leader closes the channel so
//! its followers try again.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use tokio::sync::watch;

/// What a flight's followers see.
#[derive(Clone)]
pub(crate) enum Outcome<V> {
    Pending,
    Loaded(V),
    /// The loader failed; its error is not shared (it need not be `Clone`).
    Failed,
}

struct Flight<V> {
    rx: watch::Receiver<Outcome<V>>,
    /// Set by an eviction during the load: the loaded value may predate the write.
    stale: Arc<AtomicBool>,
}

/// The in-flight loads of one cache, by full key.
pub(crate) struct Flights<V> {
    map: Mutex<HashMap<String, Flight<V>>>,
}

pub(crate) enum Role<V> {
    Leader(Leader<V>),
    Follower(watch::Receiver<Outcome<V>>),
}

impl<V: Clone> Flights<V> {
    pub(crate) fn new() -> Self {
        Self {
            map: Mutex::new(HashMap::new()),
        }
    }

    // The map is never left half-updated (no code that can panic runs under the lock), so a
    // poisoned lock is still consistent.
    fn lock(&self) -> MutexGuard<'_, HashMap<String, Flight<V>>> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Joins the flight for `key`, starting one (as its leader) if none is running.
    pub(crate) fn join(self: &Arc<Self>, key: &str) -> Role<V> {
        let mut map = self.lock();
        if let Some(flight) = map.get(key) {
            return Role::Follower(flight.rx.clone());
        }
        let (tx, rx) = watch::channel(Outcome::Pending);
        let stale = Arc::new(AtomicBool::new(false));
        map.insert(
            key.to_owned(),
            Flight {
                rx,
                stale: stale.clone(),
            },
        );
        Role::Leader(Leader {
            flights: self.clone(),
            key: key.to_owned(),
            tx,
            stale,
        })
    }

    /// Marks a running load of `key` as stale so its result is not written to the store.
    pub(crate) fn mark_stale(&self, key: &str) {
        if let Some(flight) = self.lock().get(key) {
            flight.stale.store(true, Ordering::SeqCst);
        }
    }
}

/// Waits for the flight's outcome; `None` when the leader was cancelled before finishing.
pub(crate) async fn wait<V: Clone>(mut rx: watch::Receiver<Outcome<V>>) -> Option<Outcome<V>> {
    let outcome = rx.wait_for(|o| !matches!(o, Outcome::Pending)).await.ok()?;
    Some(outcome.clone())
}

/// The caller that runs the load; unregisters the flight when dropped.
pub(crate) struct Leader<V> {
    flights: Arc<Flights<V>>,
    key: String,
    tx: watch::Sender<Outcome<V>>,
    stale: Arc<AtomicBool>,
}

impl<V> Leader<V> {
    /// Hands the outcome to the followers (and to anyone who joins until the leader drops).
    pub(crate) fn publish(&self, outcome: Outcome<V>) {
        self.tx.send_replace(outcome);
    }

    /// Whether the key was evicted while the load ran.
    pub(crate) fn is_stale(&self) -> bool {
        self.stale.load(Ordering::SeqCst)
    }
}

impl<V> Drop for Leader<V> {
    fn drop(&mut self) {
        // Only the leader registered this entry and no one replaces it while it exists.
        self.flights
            .map
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&self.key);
    }
}
