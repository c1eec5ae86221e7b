//! Work that stops: every field resolution passes a cooperative yield point, so a request
//! past its timeout, or whose client has gone (its future is dropped), stops using CPU and
//! memory at the next field instead of running to the end.
//!
//! Without it, fields whose values are already in memory (a page of cached rows, the
//! schema's introspection) resolve inside one poll of the request's task, which a timeout
//! cannot interrupt and a dropped connection cannot stop. The request yields once it has
//! computed for a time slice (1 ms) within one poll of its task, looking at the clock every
//! 64 fields. The HTTP handler runs the request under a [`PollClock`] ([`clocked`]), which
//! notes when each poll began, so time spent waiting (for the database, or a turn) never
//! counts, however slow the machine. Nor does a request yield while one of its batches is
//! being filled: a yield in the middle of a level would let part of the level's loads run
//! as a batch of their own (see `db::batch`), and the pass filling a batch ends in a pause
//! anyway. A request run without a clock falls back to guessing waits from gaps of
//! more than 250 µs between two looks, which a slow or busy machine can defeat.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use async_graphql::extensions::{
    Extension, ExtensionContext, ExtensionFactory, NextResolve, ResolveInfo,
};
use async_graphql::{ServerResult, Value};

/// When the current poll of a request's task began, for [`Yielding`]: put it in the
/// request's data and run the request with [`clocked`].
#[derive(Clone)]
pub struct PollClock {
    origin: Instant,
    poll_began: Arc<AtomicU64>,
}

impl Default for PollClock {
    fn default() -> Self {
        Self {
            origin: Instant::now(),
            poll_began: Arc::new(AtomicU64::new(0)),
        }
    }
}

impl PollClock {
    fn now(&self) -> u64 {
        u64::try_from(self.origin.elapsed().as_nanos()).unwrap_or(u64::MAX)
    }

    /// Whether the current poll has computed a whole slice.
    fn slice_spent(&self) -> bool {
        self.now()
            .saturating_sub(self.poll_began.load(Ordering::Relaxed))
            >= SLICE.as_nanos() as u64
    }
}

/// Runs `work`, noting on `clock` when each of its polls begins.
pub async fn clocked<F: Future>(clock: PollClock, work: F) -> F::Output {
    let mut work = std::pin::pin!(work);
    std::future::poll_fn(|cx| {
        clock.poll_began.store(clock.now(), Ordering::Relaxed);
        work.as_mut().poll(cx)
    })
    .await
}

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
    /// Whether the request has computed a whole slice without a pause: within the current
    /// poll when it has a [`PollClock`], else since the last gap between looks.
    fn slice_spent(&self, clock: Option<&PollClock>) -> bool {
        if self.fields.fetch_add(1, Ordering::Relaxed) % CHECK_EVERY != CHECK_EVERY - 1 {
            return false;
        }
        if let Some(clock) = clock {
            return clock.slice_spent();
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
        // Not while a batch is being filled: the pass filling it pauses by itself once every
        // sibling has added its keys, and a yield now would split the batch in two.
        let filling = ctx
            .data_opt::<crate::db::loaders::Loaders>()
            .is_some_and(|loaders| loaders.filling());
        if !filling && self.slice_spent(ctx.data_opt::<PollClock>()) {
            tokio::task::yield_now().await;
        }
        next.run(ctx, info).await
    }
}
