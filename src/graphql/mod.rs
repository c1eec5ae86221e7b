//! The GraphQL face of the domain: one file per domain with its object types, inputs and
//! its part of the root `Query` and `Mutation`; resolvers are thin and call the services in
//! `crate::domain`. Also the cost model that prices a request before it runs.

/// Defines the object type over a table's row: the row, shared (`Arc`) with the request's
/// loader cache instead of copied, and a `From` for rows a service returns.
macro_rules! row_object {
    ($(#[$doc:meta])* $name:ident, $module:ident) => {
        $(#[$doc])*
        #[derive(Clone)]
        pub struct $name(pub std::sync::Arc<$module::Model>);

        impl From<$module::Model> for $name {
            fn from(row: $module::Model) -> Self {
                Self(std::sync::Arc::new(row))
            }
        }
    };
}

pub mod action;
pub mod audit;
pub mod changes;
pub mod context;
pub mod cost;
pub mod counterpart;
pub mod enums;
pub mod inputs;
pub mod localized;
pub mod meeting;
pub mod network;
pub mod organisation;
pub mod paging;
pub mod patch;
pub mod person;
pub mod programme;
pub mod reference;
pub mod representative;
pub mod review;
pub mod scalars;
pub mod search;
pub mod seat;
pub mod subscription;
pub mod values;
pub mod webhook;
pub mod yields;

use async_graphql::{MergedObject, SDLExportOptions, Schema};
use sea_orm::DatabaseConnection;

use crate::domain::review::ReviewPeriod;

/// Every mutation.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    organisation::OrganisationMutation,
    person::PersonMutation,
    representative::RepresentativeMutation,
    representative::csv::RepresentativeCsvMutation,
    network::NetworkMutation,
    seat::SeatMutation,
    meeting::MeetingMutation,
    action::ProgrammeMutation,
    review::ReviewMutation,
    webhook::WebhookMutation,
);

/// Every query.
#[derive(MergedObject, Default)]
pub struct Query(
    organisation::OrganisationQuery,
    representative::RepresentativeQuery,
    representative::csv::RepresentativeCsvQuery,
    counterpart::CounterpartQuery,
    reference::ReferenceQuery,
    network::NetworkQuery,
    meeting::MeetingQuery,
    programme::ProgrammeQuery,
    search::SearchQuery,
    audit::AuditQuery,
    changes::ChangeQuery,
    webhook::WebhookQuery,
);

/// The schema type.
pub type ApiSchema = Schema<Query, MutationRoot, subscription::SubscriptionRoot>;

/// Builds the schema around a database connection.
///
/// Depth and cost are limited before a request reaches the schema (see [`cost`]), not by
/// async-graphql's `limit_depth`/`limit_complexity`: its complexity priced a nested list at
/// 1 whatever it held, and its validation expands fragments anew at every spread, so the
/// limits must be known before it runs.
pub fn schema(db: DatabaseConnection) -> ApiSchema {
    schema_with(db, ReviewPeriod::default())
}

/// Builds the schema around a database connection, judging review dates by `review`.
pub fn schema_with(db: DatabaseConnection, review: ReviewPeriod) -> ApiSchema {
    Schema::build(
        Query::default(),
        MutationRoot::default(),
        subscription::SubscriptionRoot,
    )
    .data(db)
    .data(review)
    .data(crate::domain::counterpart::cache::IndexCache::default())
    .extension(yields::Yielding)
    .limit_recursive_depth(64)
    .limit_directives(16)
    .finish()
}

/// The schema in SDL, as checked in at `schema.graphql`: fields, arguments and enum items
/// sorted, so moving a field between `MergedObject` parts leaves the file unchanged.
pub fn sdl() -> String {
    Schema::build(
        Query::default(),
        MutationRoot::default(),
        subscription::SubscriptionRoot,
    )
    .finish()
    .sdl_with_options(SDLExportOptions::new().sorted_fields().sorted_enum_items())
}

pub use context::{Viewer, active_date, db, load_many, loaders, today, viewer};
