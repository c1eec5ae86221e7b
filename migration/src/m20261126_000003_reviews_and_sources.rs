//! Review dates and the facts of the sources the first schema had no place for.
//!
//! - `reviewed_at` and `reviewed_by` (the token's `sub`) on organisations, persons,
//!   representatives, networks and actions: when someone last confirmed the row is still
//!   true. Both are null until the first confirmation.
//! - `action.status` becomes nullable: null means nobody has reported progress yet. SQLite
//!   cannot drop a `NOT NULL`, so the column is replaced by a nullable one (add, copy, drop,
//!   rename), which both engines do the same way; its index is dropped and made again.
//! - `agreement.signatures`, `signed_from`, `signed_to` (the electronic signing) and
//!   `cost_rule` (who pays for meetings).
//! - `organisation.mission` and `organisation.priorities` (one priority area per line).
//!
//! Every column added is nullable, so rows written before keep their meaning.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261126_000003_reviews_and_sources"
    }
}

/// The tables whose rows can be confirmed.
const REVIEWED: [&str; 5] = [
    "organisation",
    "person",
    "representative",
    "network",
    "action",
];

/// Adds one column (SQLite takes one per `ALTER TABLE`).
async fn add(manager: &SchemaManager<'_>, table: &str, column: ColumnDef) -> Result<(), DbErr> {
    let mut column = column;
    manager
        .alter_table(
            Table::alter()
                .table(Alias::new(table))
                .add_column(&mut column)
                .to_owned(),
        )
        .await
}

/// Drops one column.
async fn drop(manager: &SchemaManager<'_>, table: &str, column: &str) -> Result<(), DbErr> {
    manager
        .alter_table(
            Table::alter()
                .table(Alias::new(table))
                .drop_column(Alias::new(column))
                .to_owned(),
        )
        .await
}

/// The index `idx_{table}_{column}`.
fn index(table: &str, column: &str) -> IndexCreateStatement {
    Index::create()
        .name(format!("idx_{table}_{column}"))
        .table(Alias::new(table))
        .col(Alias::new(column))
        .to_owned()
}

/// Drops the index `idx_{table}_{column}`.
fn drop_index(table: &str, column: &str) -> IndexDropStatement {
    Index::drop()
        .name(format!("idx_{table}_{column}"))
        .table(Alias::new(table))
        .to_owned()
}

/// Replaces `action.status` by a column of the given nullability, keeping the values. The
/// steps run as one batch on one connection: a pooled connection still reading an older
/// snapshot of the schema must not see the index half-replaced.
async fn replace_status(manager: &SchemaManager<'_>, nullable: bool) -> Result<(), DbErr> {
    let (column, fill) = if nullable {
        ("VARCHAR(32) NULL", "status")
    } else {
        (
            "VARCHAR(32) NOT NULL DEFAULT 'PLANNED'",
            "COALESCE(status, 'PLANNED')",
        )
    };
    let sql = format!(
        "ALTER TABLE action ADD COLUMN status_next {column};
         UPDATE action SET status_next = {fill};
         DROP INDEX idx_action_status;
         ALTER TABLE action DROP COLUMN status;
         ALTER TABLE action RENAME COLUMN status_next TO status;
         CREATE INDEX idx_action_status ON action (status);"
    );
    manager.get_connection().execute_unprepared(&sql).await?;
    Ok(())
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in REVIEWED {
            add(manager, table, timestamp_with_time_zone_null("reviewed_at")).await?;
            add(manager, table, string_null("reviewed_by")).await?;
            manager.create_index(index(table, "reviewed_at")).await?;
        }
        replace_status(manager, true).await?;
        add(manager, "agreement", integer_null("signatures")).await?;
        add(manager, "agreement", date_null("signed_from")).await?;
        add(manager, "agreement", date_null("signed_to")).await?;
        add(manager, "agreement", text_null("cost_rule")).await?;
        add(manager, "organisation", text_null("mission")).await?;
        add(manager, "organisation", text_null("priorities")).await?;
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for column in ["mission", "priorities"] {
            drop(manager, "organisation", column).await?;
        }
        for column in ["signatures", "signed_from", "signed_to", "cost_rule"] {
            drop(manager, "agreement", column).await?;
        }
        replace_status(manager, false).await?;
        for table in REVIEWED {
            manager.drop_index(drop_index(table, "reviewed_at")).await?;
            drop(manager, table, "reviewed_at").await?;
            drop(manager, table, "reviewed_by").await?;
        }
        Ok(())
    }
}
