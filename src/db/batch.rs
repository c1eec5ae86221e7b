//! Batched loading without a timer. A load registers its keys in the pending batch of its
//! key type and yields once; by the time the request's task runs again, every sibling
//! field resolved in the same pass (the items of a list, the fields of an object) has
//! registered its keys too, and the first load to resume runs ONE statement for all of
//! them. The others wait for that statement's answer. So the number of statements follows
//! the shape of the query (one per relation and level), whatever the number of rows, and
//! no request sits in a batch window.
//!
//! This relies on `tokio::task::yield_now` deferring its wake-up until the task's poll has
//! finished: `join_all`/`FuturesUnordered` then poll every sibling before any resumes.
//! Answers are cached for the rest of the request; values are shared, not re-read.

use std::any::{Any, TypeId};
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use async_graphql::dataloader::Loader;
use tokio::sync::OnceCell;

/// One batch of keys of one type: filled until its first member resumes, then run once.
/// Its rows go straight into the cache, so each is copied once, into the answer that asks.
struct Batch<E> {
    done: OnceCell<Result<(), E>>,
}

/// What a request knows about one key type: answers so far and the batch being filled.
struct Slot<K, V, E> {
    cache: HashMap<K, V>,
    /// Keys already asked for that have no row.
    absent: HashSet<K>,
    pending_keys: HashSet<K>,
    pending: Option<Arc<Batch<E>>>,
}

impl<K, V, E> Default for Slot<K, V, E> {
    fn default() -> Self {
        Self {
            cache: HashMap::new(),
            absent: HashSet::new(),
            pending_keys: HashSet::new(),
            pending: None,
        }
    }
}

/// A request's batching loader over `L`, with a cache per key type.
pub struct Batcher<L> {
    loader: L,
    slots: Mutex<HashMap<TypeId, Box<dyn Any + Send>>>,
    /// Batches being filled: created, not yet run.
    filling: AtomicUsize,
}

impl<L> Batcher<L> {
    /// A batcher for one request.
    pub fn new(loader: L) -> Self {
        Self {
            loader,
            slots: Mutex::new(HashMap::new()),
            filling: AtomicUsize::new(0),
        }
    }

    /// Whether a batch is being filled: the pass that fills it ends in a pause of its own,
    /// and a yield before then would split it (see `graphql::yields`).
    pub fn filling(&self) -> bool {
        self.filling.load(Ordering::Relaxed) > 0
    }

    /// The loader it batches for.
    pub fn loader(&self) -> &L {
        &self.loader
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<TypeId, Box<dyn Any + Send>>> {
        // A panic while holding the lock leaves only caches behind: safe to keep using.
        self.slots.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn with_slot<K, R>(&self, f: impl FnOnce(&mut Slot<K, L::Value, L::Error>) -> R) -> R
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        L: Loader<K>,
        L::Error: Sync,
    {
        let mut slots = self.lock();
        let slot = slots
            .entry(TypeId::of::<K>())
            .or_insert_with(|| Box::new(Slot::<K, L::Value, L::Error>::default()));
        let slot = slot
            .downcast_mut::<Slot<K, L::Value, L::Error>>()
            .expect("one slot type per key type");
        f(slot)
    }

    /// Loads one key.
    pub async fn load_one<K>(&self, key: K) -> Result<Option<L::Value>, L::Error>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        L: Loader<K>,
        L::Error: Sync,
    {
        let mut found = self.load_many(std::iter::once(key.clone())).await?;
        Ok(found.remove(&key))
    }

    /// Loads several keys; keys with no row are absent from the answer.
    pub async fn load_many<K>(
        &self,
        keys: impl IntoIterator<Item = K>,
    ) -> Result<HashMap<K, L::Value>, L::Error>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        L: Loader<K>,
        L::Error: Sync,
    {
        let mut answer = HashMap::new();
        let mut missing = Vec::new();
        let batch = self.with_slot::<K, _>(|slot| {
            for key in keys {
                match slot.cache.get(&key) {
                    Some(value) => {
                        answer.insert(key, value.clone());
                    }
                    None if slot.absent.contains(&key) => {}
                    None => missing.push(key),
                }
            }
            if missing.is_empty() {
                return None;
            }
            slot.pending_keys.extend(missing.iter().cloned());
            Some(
                slot.pending
                    .get_or_insert_with(|| {
                        self.filling.fetch_add(1, Ordering::Relaxed);
                        Arc::new(Batch {
                            done: OnceCell::new(),
                        })
                    })
                    .clone(),
            )
        });
        let Some(batch) = batch else {
            return Ok(answer);
        };
        // Let the siblings resolved in this pass add their keys before the batch runs.
        tokio::task::yield_now().await;
        batch
            .done
            .get_or_init(|| self.run::<K>(&batch))
            .await
            .clone()?;
        self.with_slot::<K, _>(|slot| {
            for key in missing {
                if let Some(value) = slot.cache.get(&key) {
                    answer.insert(key, value.clone());
                }
            }
        });
        Ok(answer)
    }

    /// Runs a batch: takes its keys (later loads start a new batch), queries once, caches.
    async fn run<K>(&self, batch: &Arc<Batch<L::Error>>) -> Result<(), L::Error>
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        L: Loader<K>,
        L::Error: Sync,
    {
        let keys: Vec<K> = self.with_slot::<K, _>(|slot| {
            if slot
                .pending
                .as_ref()
                .is_some_and(|pending| Arc::ptr_eq(pending, batch))
            {
                slot.pending = None;
                self.filling.fetch_sub(1, Ordering::Relaxed);
                slot.pending_keys.drain().collect()
            } else {
                Vec::new()
            }
        });
        if keys.is_empty() {
            return Ok(());
        }
        let mut loaded = self.loader.load(&keys).await?;
        self.with_slot::<K, _>(|slot| {
            for key in keys {
                match loaded.remove(&key) {
                    Some(value) => {
                        slot.cache.insert(key, value);
                    }
                    None => {
                        slot.absent.insert(key);
                    }
                }
            }
        });
        Ok(())
    }

    /// Puts rows already read (a list page) in the cache, so their lookups cost nothing.
    pub async fn feed_many<K>(&self, rows: impl IntoIterator<Item = (K, L::Value)>)
    where
        K: Send + Sync + Hash + Eq + Clone + 'static,
        L: Loader<K>,
        L::Error: Sync,
    {
        self.with_slot::<K, _>(|slot| slot.cache.extend(rows));
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use super::*;

    struct Squares {
        calls: AtomicUsize,
    }

    impl Loader<u32> for Squares {
        type Value = u64;
        type Error = ();

        async fn load(&self, keys: &[u32]) -> Result<HashMap<u32, u64>, ()> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            tokio::task::yield_now().await;
            Ok(keys
                .iter()
                .filter(|k| **k != 13)
                .map(|k| (*k, u64::from(*k) * u64::from(*k)))
                .collect())
        }
    }

    fn batcher() -> Batcher<Squares> {
        Batcher::new(Squares {
            calls: AtomicUsize::new(0),
        })
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn siblings_resolved_together_share_one_load() {
        let b = batcher();
        let loads = (0..1000u32).map(|k| b.load_one(k));
        let answers = futures_util::future::join_all(loads).await;
        assert_eq!(answers[12], Ok(Some(144)));
        assert_eq!(answers[13], Ok(None));
        assert_eq!(answers[999], Ok(Some(998_001)));
        assert_eq!(b.loader().calls.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn the_next_level_is_one_more_load_and_cached_keys_cost_none() {
        let b = batcher();
        let first = futures_util::future::join_all((0..10u32).map(|k| b.load_one(k))).await;
        assert_eq!(first.len(), 10);
        let second = futures_util::future::join_all((5..20u32).map(|k| b.load_one(k))).await;
        assert_eq!(second[0], Ok(Some(25)));
        assert_eq!(b.loader().calls.load(Ordering::SeqCst), 2);
        let again = b.load_many(0..20u32).await.unwrap();
        assert_eq!(again.len(), 19);
        assert_eq!(b.loader().calls.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn fed_rows_are_not_loaded_again() {
        let b = batcher();
        b.feed_many([(7u32, 49u64)]).await;
        assert_eq!(b.load_one(7u32).await, Ok(Some(49)));
        assert_eq!(b.loader().calls.load(Ordering::SeqCst), 0);
    }
}
