//! The change feed and the webhook outbox.
//!
//! - `audit_log.seq` and `audit_log.sub`: the commit number of the write that made the row
//!   and its place among that write's rows. `seq` is taken from `change_counter` (one row) as
//!   the last step before commit, so numbers are handed out in commit order on both engines
//!   (see `db::changes`). Rows written before this migration are numbered in the order they
//!   occurred, each its own commit; the counter starts after them.
//! - `webhook`: a URL an admin registered with the entity types it wants and its secret.
//! - `webhook_delivery`: the outbox. One row per change and webhook that wants it, written
//!   in the change's own transaction, with its delivery state.

use sea_orm_migration::{prelude::*, schema::*};

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000005_change_feed_and_webhooks"
    }
}

/// Adds one nullable column to `audit_log` (SQLite takes one per `ALTER TABLE`).
async fn add(manager: &SchemaManager<'_>, column: ColumnDef) -> Result<(), DbErr> {
    let mut column = column;
    manager
        .alter_table(
            Table::alter()
                .table("audit_log")
                .add_column(&mut column)
                .to_owned(),
        )
        .await
}

fn webhook() -> TableCreateStatement {
    Table::create()
        .table("webhook")
        .col(pk_uuid("id"))
        .col(text("url"))
        .col(json("types"))
        .col(string("secret"))
        .col(string("created_by"))
        .col(timestamp_with_time_zone("created_at"))
        .to_owned()
}

fn delivery() -> TableCreateStatement {
    Table::create()
        .table("webhook_delivery")
        .col(pk_uuid("id"))
        .col(uuid("webhook_id"))
        .col(uuid("audit_id"))
        .col(big_integer("seq"))
        .col(integer("sub"))
        .col(string("entity_type"))
        .col(string_len("state", 16))
        .col(integer("attempts").default(0))
        .col(timestamp_with_time_zone("next_attempt_at"))
        .col(integer_null("last_status"))
        .col(text_null("last_error"))
        .col(timestamp_with_time_zone_null("delivered_at"))
        .col(timestamp_with_time_zone("created_at"))
        .foreign_key(
            ForeignKey::create()
                .name("fk_webhook_delivery_webhook_id")
                .from("webhook_delivery", "webhook_id")
                .to("webhook", "id")
                .on_delete(ForeignKeyAction::Cascade),
        )
        .to_owned()
}

fn index(name: &str, table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut index = Index::create();
    index.name(name).table(Alias::new(table));
    for col in cols {
        index.col(Alias::new(*col));
    }
    index.to_owned()
}

/// Numbers the rows written before, in the order they occurred, and starts the counter
/// after them.
const NUMBER_OLD_ROWS: [&str; 3] = [
    "UPDATE audit_log SET seq = numbered.n, sub = 0 FROM \
     (SELECT id, ROW_NUMBER() OVER (ORDER BY occurred_at, id) AS n FROM audit_log) AS numbered \
     WHERE numbered.id = audit_log.id",
    "CREATE TABLE change_counter (id INTEGER PRIMARY KEY, seq BIGINT NOT NULL)",
    "INSERT INTO change_counter (id, seq) SELECT 1, COALESCE(MAX(seq), 0) FROM audit_log",
];

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        add(manager, big_integer_null("seq")).await?;
        add(manager, integer_null("sub")).await?;
        let db = manager.get_connection();
        for statement in NUMBER_OLD_ROWS {
            db.execute_unprepared(statement).await?;
        }
        manager
            .create_index(index("idx_audit_log_seq", "audit_log", &["seq", "sub"]))
            .await?;
        manager.create_table(webhook()).await?;
        manager.create_table(delivery()).await?;
        manager
            .create_index(index(
                "idx_webhook_delivery_due",
                "webhook_delivery",
                &["state", "next_attempt_at"],
            ))
            .await?;
        manager
            .create_index(index(
                "idx_webhook_delivery_webhook",
                "webhook_delivery",
                &["webhook_id", "seq"],
            ))
            .await
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        db.execute_unprepared("DROP TABLE webhook_delivery").await?;
        db.execute_unprepared("DROP TABLE webhook").await?;
        db.execute_unprepared("DROP TABLE change_counter").await?;
        db.execute_unprepared("DROP INDEX idx_audit_log_seq")
            .await?;
        for column in ["sub", "seq"] {
            manager
                .alter_table(
                    Table::alter()
                        .table("audit_log")
                        .drop_column(Alias::new(column))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
