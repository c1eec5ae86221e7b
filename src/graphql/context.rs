//! What a resolver reads from the request context: the database, the request's loaders,
//! the caller; and how an `ID` argument becomes a key.

use async_graphql::dataloader::Loader;
use async_graphql::{Context, ID};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;
use uuid::Uuid;

use std::sync::Arc;

use async_graphql::OutputType;
use futures_util::future::BoxFuture;

use super::paging::{Count, List, Page, Total};
use crate::db::children::{Children, CountOf, PageOf, Row};
use crate::db::loaders::{DbLoader, LoadError, Loaders};
use crate::error::{ApiError, ApiResult, bad_input};

pub use crate::auth::guard::{Viewer, viewer, writer};
pub use crate::clock::today;

/// The request's loaders.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}

/// The request's database connection: the read replica for an anonymous query when one is
/// configured, else the primary (chosen per request in `http::execute`, which puts it in the
/// request's data; the schema's own, the primary, is the fallback).
pub fn db<'a>(ctx: &Context<'a>) -> &'a DatabaseConnection {
    ctx.data_unchecked::<DatabaseConnection>()
}

/// An id argument or input field, or `BAD_USER_INPUT` naming it.
pub fn parse_id(field: &str, id: &ID) -> ApiResult<Uuid> {
    id.parse::<Uuid>()
        .map_err(|_| bad_input(field, format!("{field} is not a valid id")))
}

/// An optional id argument.
pub fn parse_opt_id(field: &str, value: &Option<ID>) -> ApiResult<Option<Uuid>> {
    value.as_ref().map(|v| parse_id(field, v)).transpose()
}

/// The validity day a list filters on: none with `include_inactive`, else the given day or
/// today.
pub fn active_date(
    active_on: Option<impl Into<NaiveDate>>,
    include_inactive: bool,
) -> Option<NaiveDate> {
    if include_inactive {
        None
    } else {
        Some(active_on.map(Into::into).unwrap_or_else(today))
    }
}

/// Loads several rows by key through the request's loader, in the order found.
pub async fn load_many<K>(
    ctx: &Context<'_>,
    keys: impl IntoIterator<Item = K>,
) -> ApiResult<Vec<<DbLoader as Loader<K>>::Value>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    DbLoader: Loader<K, Error = LoadError>,
{
    let keys: Vec<K> = keys.into_iter().collect();
    let found = loaders(ctx).load_many(keys.iter().cloned()).await?;
    Ok(keys.iter().filter_map(|k| found.get(k).cloned()).collect())
}

/// Loads the row a nullable reference points to.
pub async fn load_opt<K>(
    ctx: &Context<'_>,
    key: Option<K>,
) -> ApiResult<Option<<DbLoader as Loader<K>>::Value>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    DbLoader: Loader<K, Error = LoadError>,
{
    match key {
        Some(key) => Ok(loaders(ctx).load_one(key).await?),
        None => Ok(None),
    }
}

/// Loads the rows a list key stands for (none when it has none) and wraps each in its
/// object type: the body of every plain nested list field.
pub async fn load_list<K, M, T>(
    ctx: &Context<'_>,
    key: K,
    wrap: impl FnMut(Arc<M>) -> T,
) -> ApiResult<Vec<T>>
where
    K: Send + Sync + std::hash::Hash + Eq + Clone + 'static,
    M: Send + Sync + 'static,
    DbLoader: Loader<K, Value = Vec<Arc<M>>, Error = LoadError>,
{
    let rows = loaders(ctx).load_one(key).await?.unwrap_or_default();
    Ok(rows.into_iter().map(wrap).collect())
}

impl<K: Children> Count for CountOf<K> {
    fn count<'a>(&'a self, loaders: &'a Loaders) -> BoxFuture<'a, Result<u64, LoadError>> {
        Box::pin(async move { Ok(loaders.load_one(*self).await?.unwrap_or(0)) })
    }
}

/// Reads the page `first`/`after` of a nested list and wraps each row in its object type:
/// the body of every nested connection field. The total is read only if asked for, and not
/// at all when the first page already holds the whole list.
pub async fn load_page<K, T>(
    ctx: &Context<'_>,
    key: K,
    first: Option<i32>,
    after: Option<String>,
    wrap: impl FnMut(Arc<Row<K>>) -> T,
) -> ApiResult<List<T>>
where
    K: Children,
    T: OutputType,
{
    let page = Page::new(first, after)?;
    let found = loaders(ctx)
        .load_one(PageOf(key, page.window()))
        .await?
        .ok_or_else(|| ApiError::internal("a page load answered nothing"))?;
    let total = if page.offset == 0 && !found.more {
        Total::Known(found.rows.len() as u64)
    } else {
        Total::Counted(Arc::new(CountOf(key)))
    };
    let rows = found.rows.iter().cloned().map(wrap).collect();
    Ok(page.connection_with(rows, found.more, total))
}
