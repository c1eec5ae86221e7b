//! The data version: a number that every committed write transaction raises, so anything
//! kept between requests (the county indexes) knows when it may be out of date.
//!
//! It is one number for the process: a write to any database makes every cache entry of
//! every database old, which is never wrong, only sometimes wasteful. Writes this process
//! does not see (another API node, the CLI) are covered by the caches' own age limit.

use std::sync::atomic::{AtomicU64, Ordering};

use tokio::sync::Notify;

static VERSION: AtomicU64 = AtomicU64::new(1);

/// Wakes the webhook worker when this process commits a write.
static COMMITTED: Notify = Notify::const_new();

/// The version now.
pub fn current() -> u64 {
    VERSION.load(Ordering::Acquire)
}

/// Marks the data changed: call after a write has committed.
pub fn bump() {
    VERSION.fetch_add(1, Ordering::AcqRel);
    COMMITTED.notify_one();
}

/// Waits until a write commits in this process (at once if one has committed since the
/// last wait returned).
pub async fn committed() {
    COMMITTED.notified().await;
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_bump_raises_the_version() {
        let before = super::current();
        super::bump();
        assert!(super::current() > before);
    }
}
