//! Database migrations of Yhdyspinta. The same migrations run on SQLite (the embedded
//! default) and PostgreSQL (production); they use only what both engines support.

pub use sea_orm_migration::prelude::*;

mod m20261123_000001_create_schema;

/// Applies the migrations in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![Box::new(m20261123_000001_create_schema::Migration)]
    }
}
