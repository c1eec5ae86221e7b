//! Work that stops: every field resolution passes a cooperative yield point, so a request
//! past its timeout, or whose client has gone (its future is dropped), stops using CPU and
//! memory at the next field instead of running to the end.
//!
//! Without it, fields whose values are already in memory (a page of cached rows, the
//! schema's introspection) resolve inside one poll of the request's task, which a timeout
//! cannot interrupt and a dropped connection cannot stop. The request yields once it has
//! computed for a time slice (1 ms) without a pause, looking at the clock every 64 fields;
//! a gap of more than 250 µs between two looks means the request waited (for the database,
//! or its turn) and starts a new stretch. So an ordinary request never yields here: a
//! yield in the middle of a level would let part of the level's loads run as a batch of
//! their own (see `db::batch`).

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{ServerResult, Value};

/// The schema extension that gives every field resolution a yield point.
pub struct Yielding;

/// The longest a request runs on the thread without a yield point.
const SLICE: Duration = Duration::from_millis(1);
/// Fields resolved between two looks at the clock.
const CHECK_EVERY: u64 = 64;
/// A pause between two looks at the clock this long means the request was not computing.
const GAP: Duration = Duration::from_micros(250);

impl ExtensionFactory for Yielding {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(YieldingExtension {
            origin: Instant::now(),
            fields: AtomicU64::new(0),
            last_look: AtomicU64::new(0),
            stretch: AtomicU64::new(0),
        })
    }
}

/// One request's clock: created with the request.
struct YieldingExtension {
    origin: Instant,
    /// Fields resolved so far.
    fields: AtomicU64,
    /// The last look at the clock, in nanoseconds since `origin`.
    last_look: AtomicU64,
    /// When the current stretch of computing began, in nanoseconds since `origin`.
    stretch: AtomicU64,
}

impl YieldingExtension {
    /// Whether the request has computed a whole slice without a pause.
    fn slice_spent(&self) -> bool {
        if self.fields.fetch_add(1, Ordering::Relaxed) % CHECK_EVERY != CHECK_EVERY - 1 {
            return false;
        }
        let now = u64::try_from(self.origin.elapsed().as_nanos()).unwrap_or(u64::MAX);
        let last = self.last_look.swap(now, Ordering::Relaxed);
        if now.saturating_sub(last) > GAP.as_nanos() as u64 {
            self.stretch.store(now, Ordering::Relaxed);
            return false;
        }
        if now.saturating_sub(self.stretch.load(Ordering::Relaxed)) < SLICE.as_nanos() as u64 {
            return false;
        }
        self.stretch.store(now, Ordering::Relaxed);
        true
    }
}

#[async_graphql::async_trait::async_trait]
impl Extension for YieldingExtension {
    async fn resolve(
        &self,
        ctx: &ExtensionContext<'_>,
        info: ResolveInfo<'_>,
        next: NextResolve<'_>,
    ) -> ServerResult<Option<Value>> {
        if self.slice_spent() {
            tokio::task::yield_now().await;
        }
        next.run(ctx, info).await
    }
}
