//! The data version: a number that every committed write transaction raises, so anything
//! kept between requests (the county indexes) knows when it may be out of date.
//!
//! It is one number for the process: a write to any database makes every cache entry of
//! every database old, which is never wrong, only sometimes wasteful. Writes this process
//! does not see (another API node, the CLI) are covered by the caches' own age limit.

use std::sync::atomic::{AtomicU64, Ordering};

static VERSION: AtomicU64 = AtomicU64::new(1);

/// The version now.
pub fn current() -> u64 {
    VERSION.load(Ordering::Acquire)
}

/// Marks the data changed: call after a write has committed.
pub fn bump() {
    VERSION.fetch_add(1, Ordering::AcqRel);
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
