//! Word-prefix search: one row per normalised word of each searchable row, so a prefix
//! lookup is a range scan on `(kind, token)` instead of a scan of every row's text. Tokens
//! compare byte-wise (`COLLATE "C"` on PostgreSQL; SQLite compares bytes already), which the
//! range lookup relies on.

use sea_orm_migration::{prelude::*, schema::*, sea_orm::DbBackend};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261123_000002_create_search_token"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let mut token = string_len("token", 64);
        if manager.get_database_backend() == DbBackend::Postgres {
            token.extra("COLLATE \"C\"");
        }
        manager
            .create_table(
                Table::create()
                    .table("search_token")
                    .col(string_len("kind", 16))
                    .col(token)
                    .col(uuid("entity_id"))
                    .primary_key(
                        Index::create()
                            .name("pk_search_token")
                            .col("kind")
                            .col("token")
                            .col("entity_id"),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx_search_token_entity_id")
                    .table("search_token")
                    .col("entity_id")
                    .to_owned(),
            )
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .drop_table(Table::drop().table("search_token").to_owned())
            .await
    }
}
