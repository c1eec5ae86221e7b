//! Following the change feed as it grows: what a subscription sends. A follower starts at
//! the feed's current end (or a cursor it kept), and reads what follows whenever the
//! application's data version is raised (its own commits, and on PostgreSQL other nodes'
//! through `LISTEN`) and at least every `every` (writes the version does not hear: another
//! process on the same SQLite file). Each read takes a pool connection only for its
//! statements; none is held while waiting.

use std::collections::VecDeque;
use std::time::Duration;

use futures_util::Stream;
use sea_orm::DatabaseConnection;
use tokio::sync::watch;

use super::{Change, ChangeCursor, ChangeFilter, service};
use crate::auth::policy::Principal;
use crate::error::ApiResult;

/// Changes read per statement round while catching up.
const PAGE: usize = 100;

/// Where a follower reads, as whom, and what wakes it.
pub struct Follower {
    /// The primary: a replica could lag behind the version that woke the follower.
    pub db: DatabaseConnection,
    /// The subscriber (anonymous: `None`); personal data is shown as in the feed.
    pub who: Option<Principal>,
    /// Where to start: `None` is the feed's end when the follower starts.
    pub after: Option<ChangeCursor>,
    pub filter: ChangeFilter,
    /// Raised on every data-version change; the stream ends when its sender is gone.
    pub wake: watch::Receiver<u64>,
    /// The longest wait between two reads.
    pub every: Duration,
}

struct State {
    follower: Follower,
    position: Option<ChangeCursor>,
    started: bool,
    ready: VecDeque<Change>,
    done: bool,
}

/// The changes committed after the follower's start, in commit order, as they commit. A
/// failed read yields its error and ends the stream.
pub fn changes(follower: Follower) -> impl Stream<Item = ApiResult<Change>> + Send {
    let state = State {
        position: follower.after,
        started: follower.after.is_some(),
        follower,
        ready: VecDeque::new(),
        done: false,
    };
    futures_util::stream::unfold(state, |mut state| async move {
        if state.done {
            return None;
        }
        match next(&mut state).await {
            Ok(Some(change)) => Some((Ok(change), state)),
            Ok(None) => None,
            Err(err) => {
                state.done = true;
                Some((Err(err), state))
            }
        }
    })
}

/// The next change, waiting for one; `None` when the application is gone.
async fn next(state: &mut State) -> ApiResult<Option<Change>> {
    if !state.started {
        // Marked seen before reading, so a write committed meanwhile still wakes the read.
        state.follower.wake.mark_unchanged();
        state.position = Some(service::latest(&state.follower.db).await?);
        state.started = true;
    }
    loop {
        if let Some(change) = state.ready.pop_front() {
            return Ok(Some(change));
        }
        state.follower.wake.mark_unchanged();
        let f = &state.follower;
        let page = service::after(&f.db, f.who.as_ref(), state.position, &f.filter, PAGE).await?;
        state.position = page.end.or(state.position);
        state.ready.extend(page.changes);
        if !state.ready.is_empty() || page.has_more {
            continue;
        }
        let every = state.follower.every;
        tokio::select! {
            woken = state.follower.wake.changed() => {
                if woken.is_err() {
                    return Ok(None);
                }
            }
            _ = tokio::time::sleep(every) => {}
        }
    }
}
