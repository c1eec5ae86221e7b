//! A named group of municipalities inside a county.

use crate::enums::AreaKind;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A named group of municipalities inside a county.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "area")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: AreaKind,
    /// Finnish name (required)
    pub name_fi: String,
    /// Swedish name
    pub name_sv: Option<String>,
    /// English name
    pub name_en: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub county_id: Uuid,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// optimistic-concurrency version, bumped on every update
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
