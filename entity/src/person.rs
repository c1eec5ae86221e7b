//! A named person with contact details.

use crate::enums::Visibility;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A named person with contact details.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "person")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub name: String,
    pub title: Option<String>,
    pub organisation_id: Option<Uuid>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub visibility: Visibility,
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
