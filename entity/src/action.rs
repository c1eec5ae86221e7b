//! A measure of the programme (toimenpide).

use crate::enums::ActionStatus;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A measure of the programme (toimenpide).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "action")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub goal_id: Uuid,
    pub topic_id: Option<Uuid>,
    pub title: String,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// the responsible party as the document wrote it
    #[sea_orm(column_type = "Text")]
    pub responsibility: String,
    pub period_start: Date,
    pub period_end: Date,
    /// where the action stands; null until someone reports progress
    pub status: Option<ActionStatus>,
    pub sort_order: i32,
    #[sea_orm(column_type = "Text")]
    pub search_text: String,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// optimistic-concurrency version, bumped on every update
    pub version: i32,
    /// when someone last confirmed the row is still true; null until the first confirmation
    pub reviewed_at: Option<DateTimeUtc>,
    /// the token subject (`sub`) of whoever confirmed it last
    pub reviewed_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
