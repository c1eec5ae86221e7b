//! A standing group: forum, network, working group, advisory board.

use crate::enums::{Level, NetworkKind};
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A standing group: forum, network, working group, advisory board.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "network")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: NetworkKind,
    /// Finnish name (required)
    pub name_fi: String,
    /// Swedish name
    pub name_sv: Option<String>,
    /// English name
    pub name_en: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub level: Option<Level>,
    pub county_id: Option<Uuid>,
    pub convener_id: Option<Uuid>,
    pub convener_note: Option<String>,
    pub responsible_person_id: Option<Uuid>,
    pub responsible_role: Option<String>,
    pub parent_id: Option<Uuid>,
    pub area_id: Option<Uuid>,
    pub cadence: Option<String>,
    pub meetings_per_year: Option<i32>,
    #[sea_orm(column_type = "Text", nullable)]
    pub legal_basis: Option<String>,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
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
