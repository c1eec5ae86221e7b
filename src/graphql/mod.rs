//! The GraphQL schema: types, root fields, batching loaders and the limits that keep one
//! request from taking the server down.

pub mod action;
pub mod bulk;
pub mod context;
pub mod cost;
pub mod counterparts;
pub mod enums;

pub mod inputs;
pub mod meeting;

pub mod mutation;
pub mod mutation_programme;
pub mod network;
pub mod paging;
pub mod patch;
pub mod programme;
pub mod query;
pub mod scalars;
pub mod seat;
pub mod types;
pub mod write;

use async_graphql::{EmptySubscription, MergedObject, SDLExportOptions, Schema};
use sea_orm::DatabaseConnection;

use query::QueryRoot;

/// Every mutation.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    mutation::OrganisationMutations,
    network::NetworkMutation,
    seat::SeatMutation,
    meeting::MeetingMutation,
    action::ProgrammeMutation,
    bulk::BulkMutations,
);

/// Every query.
#[derive(MergedObject, Default)]
pub struct Query(
    QueryRoot,
    network::NetworkQuery,
    meeting::MeetingQuery,
    programme::ProgrammeQuery,
    bulk::BulkQuery,
);

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

/// The schema in SDL, as checked in at `schema.graphql`: fields, arguments and enum items
/// sorted, so moving a field between `MergedObject` parts leaves the file unchanged.
pub fn sdl() -> String {
    Schema::build(Query::default(), MutationRoot::default(), EmptySubscription)
        .finish()
        .sdl_with_options(SDLExportOptions::new().sorted_fields().sorted_enum_items())
}

pub use context::{Viewer, active_date, db, load_many, loaders, today, viewer};
