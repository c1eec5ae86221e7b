//! The subscription root: `changed(types:, organisationId:, after:)`, the change feed as it
//! commits, served over WebSocket (`crate::http::socket`).

use std::time::Duration;

use async_graphql::{Context, ID, Subscription};
use futures_util::{Stream, StreamExt};

use super::changes::{Change, EntityType};
use super::context::{db, parse_opt_id, viewer};
use crate::db::version::DataVersion;
use crate::domain::changes::follow::{self, Follower};
use crate::domain::changes::{ChangeCursor, ChangeFilter};
use crate::error::{ApiError, ApiResult, internal};

/// How often a subscription reads the feed when nothing wakes it (writes of another
/// process on the same SQLite file); put in the connection's data by the socket.
#[derive(Clone, Copy, Debug)]
pub struct FollowEvery(pub Duration);

/// Every subscription.
#[derive(Default)]
pub struct SubscriptionRoot;

#[Subscription]
impl SubscriptionRoot {
    /// The changes of the feed as they commit, oldest first: the same records `changes`
    /// reads, from the feed's end when subscribing (or after `after`, a cursor kept from
    /// an earlier change, to resume without a gap). Only `types` when given; only
    /// `organisationId`'s rows when given. Personal data as elsewhere in the API: the
    /// token given at `connection_init` decides. A failed read ends the subscription with
    /// an error.
    async fn changed(
        &self,
        ctx: &Context<'_>,
        types: Option<Vec<EntityType>>,
        organisation_id: Option<ID>,
        after: Option<String>,
    ) -> Result<impl Stream<Item = ApiResult<Change>> + use<>, ApiError> {
        let after = after
            .map(|a| ChangeCursor::parse("after", &a))
            .transpose()?;
        let types = types.map(|t| t.into_iter().map(|t| t.as_str().to_owned()).collect());
        let organisation = parse_opt_id("organisationId", &organisation_id)?;
        let filter = ChangeFilter::new(types, organisation)?;
        let version = ctx
            .data_opt::<DataVersion>()
            .ok_or_else(|| internal("subscriptions are served only over the WebSocket"))?;
        let every = ctx
            .data_opt::<FollowEvery>()
            .map_or(Duration::from_secs(2), |e| e.0);
        let follower = Follower {
            db: db(ctx).clone(),
            who: viewer(ctx).principal().cloned(),
            after,
            filter,
            wake: version.watch(),
            every,
        };
        Ok(follow::changes(follower).map(|change| change.map(Change)))
    }
}
