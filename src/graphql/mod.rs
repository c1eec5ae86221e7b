//! The GraphQL schema: types, root fields, batching loaders and the limits that keep one
//! request from taking the server down.

pub mod bulk;
pub mod cost;
pub mod counterparts;
pub mod enums;
pub mod error;
pub mod inputs;
pub mod loaders;
pub mod mutation;
pub mod mutation_programme;
pub mod paging;
pub mod query;
pub mod scalars;
pub mod types;
pub mod write;

use async_graphql::dataloader::Loader;
use async_graphql::{Context, EmptySubscription, MergedObject, Schema};
use chrono::NaiveDate;
use sea_orm::DatabaseConnection;

use error::ApiResult;
use loaders::{DbLoader, Loaders};
use query::QueryRoot;

/// Every mutation.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    mutation::OrganisationMutations,
    mutation_programme::ProgrammeMutations,
    bulk::BulkMutations,
);

/// Every query.
#[derive(MergedObject, Default)]
pub struct Query(QueryRoot, bulk::BulkQuery);

/// The schema type.
pub type ApiSchema = Schema<Query, MutationRoot, EmptySubscription>;

/// Builds the schema around a database connection.
///
/// Depth and cost are limited before a request reaches the schema (see [`cost`]), not by
/// async-graphql's `limit_depth`/`limit_complexity`: its complexity priced a nested list at
/// 1 whatever it held, and its validation expands fragments anew at every spread, so the
/// limits must be known before it runs.
pub fn schema(db: DatabaseConnection) -> ApiSchema {
    Schema::build(Query::default(), MutationRoot::default(), EmptySubscription)
        .data(db)
        .limit_recursive_depth(64)
        .limit_directives(16)
        .finish()
}

/// The schema in SDL, as checked in at `schema.graphql`.
pub fn sdl() -> String {
    Schema::build(Query::default(), MutationRoot::default(), EmptySubscription)
        .finish()
        .sdl()
}

/// Who is calling: a verified token's principal, or nobody.
#[derive(Debug, Clone, Default)]
pub struct Viewer(pub Option<crate::policy::Principal>);

impl Viewer {
    /// Whether the caller may see internal contact details.
    pub fn authenticated(&self) -> bool {
        self.0.is_some()
    }

    /// The principal, if any.
    pub fn principal(&self) -> Option<&crate::policy::Principal> {
        self.0.as_ref()
    }
}

/// The request's loaders.
pub fn loaders<'a>(ctx: &Context<'a>) -> &'a Loaders {
    ctx.data_unchecked::<Loaders>()
}

/// The database connection.
pub fn db<'a>(ctx: &Context<'a>) -> &'a DatabaseConnection {
    ctx.data_unchecked::<DatabaseConnection>()
}

/// The caller of the request.
pub fn viewer<'a>(ctx: &Context<'a>) -> &'a Viewer {
    static ANONYMOUS: Viewer = Viewer(None);
    ctx.data_opt::<Viewer>().unwrap_or(&ANONYMOUS)
}

pub use crate::clock::today;

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
    DbLoader: Loader<K, Error = loaders::LoadError>,
{
    let keys: Vec<K> = keys.into_iter().collect();
    let found = loaders(ctx).load_many(keys.iter().cloned()).await?;
    Ok(keys.iter().filter_map(|k| found.get(k).cloned()).collect())
}
