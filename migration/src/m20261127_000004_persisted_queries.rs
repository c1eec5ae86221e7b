//! Persisted queries: GraphQL documents registered by their SHA-256, by the CLI
//! (`yhdyspinta persisted add DIR`) or built into the server, so every API node and every
//! restart knows them. In safelist mode anonymous callers may run only these. Documents
//! that anonymous clients register through automatic persisted queries are never stored
//! here (each node keeps those in bounded memory).

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000004_persisted_queries"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Alias::new("persisted_query"))
                    .if_not_exists()
                    // Lowercase hex of the document's SHA-256.
                    .col(string_len(Alias::new("hash"), 64).primary_key())
                    .col(text(Alias::new("document")))
                    // `cli` or `builtin`.
                    .col(string_len(Alias::new("source"), 16))
                    .col(timestamp_with_time_zone(Alias::new("created_at")))
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(
                Table::drop()
                    .table(Alias::new("persisted_query"))
                    .to_owned(),
            )
            .await
    }
}
