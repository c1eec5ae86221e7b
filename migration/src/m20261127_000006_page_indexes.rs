//! Indexes in the order nested pages are read: (parent, the relation's order…). A page of
//! one parent's children (`db::children`, one `ORDER BY … LIMIT` per parent) then reads only
//! the rows of the page from the index, however many children the parent has; without them
//! each parent's children are all read and sorted, so a page's cost grows with the data.
//!
//! And (parent, valid_from, valid_to) for the counts of dated children (`totalCount` of an
//! organisation's representatives or seats, a network's seats, counted as valid on a day):
//! the count is then read from the index alone, without visiting each row for its dates.

use sea_orm_migration::prelude::*;

pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261127_000006_page_indexes"
    }
}

/// Table, then the columns: the parent first, then the relation's order (as in
/// `src/db/loaders.rs`).
const INDEXES: [(&str, &[&str]); 11] = [
    ("representative", &["organisation_id", "level", "id"]),
    ("representative", &["person_id", "level", "id"]),
    ("membership", &["organisation_id", "network_id", "id"]),
    ("membership", &["person_id", "network_id", "id"]),
    ("membership", &["network_id", "role", "id"]),
    ("organisation", &["parent_id", "name_fi", "id"]),
    ("organisation", &["county_id", "name_fi", "id"]),
    ("network", &["parent_id", "name_fi", "id"]),
    (
        "representative",
        &["organisation_id", "valid_from", "valid_to"],
    ),
    ("membership", &["network_id", "valid_from", "valid_to"]),
    ("membership", &["organisation_id", "valid_from", "valid_to"]),
];

fn name(table: &str, columns: &[&str]) -> String {
    format!("idx_page_{table}_{}", columns.join("_"))
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, columns) in INDEXES {
            let mut index = Index::create();
            index
                .name(name(table, columns))
                .table(Alias::new(table))
                .if_not_exists();
            for column in columns {
                index.col(Alias::new(*column));
            }
            manager.create_index(index.to_owned()).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for (table, columns) in INDEXES {
            manager
                .drop_index(
                    Index::drop()
                        .name(name(table, columns))
                        .table(Alias::new(table))
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }
}
