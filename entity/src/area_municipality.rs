//! A municipality that belongs to an area.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A municipality that belongs to an area.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "area_municipality")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub area_id: Uuid,
    #[sea_orm(primary_key, auto_increment = false)]
    pub municipality_id: Uuid,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
