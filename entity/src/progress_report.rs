//! A dated follow-up entry for an action.

use crate::enums::ActionStatus;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A dated follow-up entry for an action.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "progress_report")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub action_id: Uuid,
    pub reported_on: Date,
    pub status: ActionStatus,
    #[sea_orm(column_type = "Text")]
    pub summary: String,
    pub author_name: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// optimistic-concurrency version, bumped on every update
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
