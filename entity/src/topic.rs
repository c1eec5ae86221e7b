//! An interface topic (yhdyspinta) or a common theme.

use crate::enums::TopicKind;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// An interface topic (yhdyspinta) or a common theme.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "topic")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// unique
    pub slug: String,
    pub kind: TopicKind,
    /// letter a-e given by the agreement
    pub code: Option<String>,
    /// Finnish name (required)
    pub name_fi: String,
    /// Swedish name
    pub name_sv: Option<String>,
    /// English name
    pub name_en: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub parent_id: Option<Uuid>,
    pub sort_order: i32,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// optimistic-concurrency version, bumped on every update
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
