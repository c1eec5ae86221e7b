//! A municipality a representative serves.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A municipality a representative serves.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "representative_municipality")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub representative_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub municipality_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
