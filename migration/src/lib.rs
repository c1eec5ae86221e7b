//! Database migrations of Yhdyspinta. The same migrations run on SQLite (the embedded
//! default) and PostgreSQL (production). The schema uses only what both engines support;
//! the search index is each engine's own (FTS5, `tsvector` with `pg_trgm`), in one
//! migration with a statement list per engine.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_schema;
mod m20261125_000002_search_index;
mod m20261126_000003_reviews_and_sources;
mod m20261127_000004_persisted_queries;
mod m20261127_000005_change_feed_and_webhooks;
mod m20261127_000006_page_indexes;

/// Applies the migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261123_000001_create_schema::Migration),
            Box::new(m20261125_000002_search_index::Migration),
            Box::new(m20261126_000003_reviews_and_sources::Migration),
            Box::new(m20261127_000004_persisted_queries::Migration),
            Box::new(m20261127_000005_change_feed_and_webhooks::Migration),
            Box::new(m20261127_000006_page_indexes::Migration),
        ]
    }
}
