//! A URL an admin registered to be told of changes.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A URL an admin registered to be told of changes of some entity types.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "webhook")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub url: String,
    /// The entity types (`Person`, `Organisation`) as a JSON array of strings.
    pub types: Json,
    /// The signing secret (`whsec_…`); never shown after registration.
    pub secret: String,
    pub created_by: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
