//! A normalised word of a searchable row: organisations, persons, networks and actions are
//! found by word prefix through an index on `(kind, token)`.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A normalised word of a searchable row.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "search_token")]
pub struct Model {
    /// `organisation`, `person`, `network` or `action`
    #[sea_orm(primary_key, auto_increment = false)]
    pub kind: String,
    /// the word, lower-case without diacritics
    #[sea_orm(primary_key, auto_increment = false)]
    pub token: String,
    /// the row
    #[sea_orm(primary_key, auto_increment = false)]
    pub entity_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
