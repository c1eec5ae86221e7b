//! The data version: a number that every committed write transaction raises, so anything
//! kept between requests (the county indexes, the response cache) knows when it may be out
//! of date.
//!
//! Two counters exist. Each application holds a [`DataVersion`] of its own (so two
//! applications in one process, as in the tests, never share one), and the process holds a
//! global one. A request runs inside its application's version ([`DataVersion::scope`]), so
//! a commit during the request raises that version; every commit also raises the global one,
//! which work running outside a request (the seed, spawned loaders) reads. Writes of other
//! processes (other API nodes, the CLI) reach an application through PostgreSQL's `NOTIFY`
//! on [`CHANNEL`], sent inside every write transaction and delivered at commit; a listener
//! per application ([`crate::db::listen`]) raises its version.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Weak};

use tokio::sync::{Notify, watch};

static VERSION: AtomicU64 = AtomicU64::new(1);

/// Wakes the webhook worker when this process commits a write.
static COMMITTED: Notify = Notify::const_new();

/// The PostgreSQL notification channel write transactions notify.
pub const CHANNEL: &str = "yhdyspinta_data_version";

tokio::task_local! {
    static SCOPE: DataVersion;
}

/// The version now, for caches kept between requests: the process's, plus the running
/// request's application's (which other nodes' writes raise), so either changing makes
/// entries old.
pub fn current() -> u64 {
    let process = VERSION.load(Ordering::Acquire);
    SCOPE
        .try_with(|version| process.wrapping_add(version.current()))
        .unwrap_or(process)
}

/// Marks the data changed: call after a write has committed. Raises the process's version
/// and the running request's application's.
pub fn bump() {
    VERSION.fetch_add(1, Ordering::AcqRel);
    let _ = SCOPE.try_with(DataVersion::bump);
    COMMITTED.notify_one();
}

/// Waits until a write commits in this process (at once if one has committed since the
/// last wait returned).
pub async fn committed() {
    COMMITTED.notified().await;
}

/// One application's data version, and whether it hears every write: an application on
/// PostgreSQL hears other nodes' writes only while its listener is connected, and until
/// then nothing it keeps may be trusted.
#[derive(Clone, Debug)]
pub struct DataVersion(Arc<Shared>);

#[derive(Debug)]
struct Shared {
    value: AtomicU64,
    in_sync: AtomicBool,
    /// Told of every raise, for those waiting on the next change (subscriptions).
    raised: watch::Sender<u64>,
}

impl DataVersion {
    /// A version starting at 1; `in_sync` says whether it hears every write from the start
    /// (SQLite: one node, every write through this process) or only once a listener says so.
    pub fn new(in_sync: bool) -> Self {
        Self(Arc::new(Shared {
            value: AtomicU64::new(1),
            in_sync: AtomicBool::new(in_sync),
            raised: watch::Sender::new(1),
        }))
    }

    /// The version now.
    pub fn current(&self) -> u64 {
        self.0.value.load(Ordering::Acquire)
    }

    /// Marks the data changed.
    pub fn bump(&self) {
        let now = self.0.value.fetch_add(1, Ordering::AcqRel) + 1;
        VERSION.fetch_add(1, Ordering::AcqRel);
        self.0.raised.send_replace(now);
    }

    /// A receiver that wakes on every later raise of this version (a raise between two
    /// waits is not missed: `changed()` returns at once). It reports the sender gone when
    /// the application is.
    pub fn watch(&self) -> watch::Receiver<u64> {
        self.0.raised.subscribe()
    }

    /// Whether every write reaches this version now.
    pub fn in_sync(&self) -> bool {
        self.0.in_sync.load(Ordering::Acquire)
    }

    /// Says whether every write reaches this version; a change either way also raises it,
    /// so nothing kept while it was out of sync is served afterwards.
    pub fn set_in_sync(&self, in_sync: bool) {
        if self.0.in_sync.swap(in_sync, Ordering::AcqRel) != in_sync {
            self.bump();
        }
    }

    /// A handle that does not keep the version alive (for tasks that end with it).
    pub fn downgrade(&self) -> WeakVersion {
        WeakVersion(Arc::downgrade(&self.0))
    }

    /// Runs `work` with this version as the one commits raise and [`current`] reads.
    pub async fn scope<F: Future>(&self, work: F) -> F::Output {
        SCOPE.scope(self.clone(), work).await
    }
}

/// A [`DataVersion`] that may be gone.
#[derive(Clone, Debug)]
pub struct WeakVersion(Weak<Shared>);

impl WeakVersion {
    /// The version, unless its application is gone.
    pub fn upgrade(&self) -> Option<DataVersion> {
        self.0.upgrade().map(DataVersion)
    }
}

#[cfg(test)]
mod tests {
    use super::DataVersion;

    #[test]
    fn a_bump_raises_the_version() {
        let before = super::current();
        super::bump();
        assert!(super::current() > before);
    }

    #[tokio::test]
    async fn a_commit_in_a_scope_raises_that_application_only() {
        let (one, other) = (DataVersion::new(true), DataVersion::new(true));
        one.scope(async { super::bump() }).await;
        assert_eq!(one.current(), 2);
        assert_eq!(other.current(), 1);
        let process = super::current();
        assert!(one.scope(async { super::current() }).await >= process + 2);
    }

    #[tokio::test]
    async fn a_watcher_hears_a_raise_made_before_it_waits() {
        let version = DataVersion::new(true);
        let mut watcher = version.watch();
        version.scope(async { super::bump() }).await;
        tokio::time::timeout(std::time::Duration::from_secs(1), watcher.changed())
            .await
            .expect("woken")
            .expect("the version lives");
        assert_eq!(*watcher.borrow(), 2);
    }

    #[test]
    fn leaving_or_regaining_sync_raises_the_version() {
        let version = DataVersion::new(false);
        version.set_in_sync(false);
        assert_eq!(version.current(), 1);
        version.set_in_sync(true);
        assert!(version.in_sync());
        assert_eq!(version.current(), 2);
        version.set_in_sync(false);
        assert_eq!(version.current(), 3);
    }
}
