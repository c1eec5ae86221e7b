//! A person an organisation names for a topic and level (vastinpari).

use crate::enums::Level;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A person an organisation names for a topic and level (vastinpari).
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "representative")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_id: Uuid,
    pub organisation_id: Uuid,
    pub topic_id: Uuid,
    pub level: Level,
    pub role: Option<String>,
    /// person
    pub deputy_id: Option<Uuid>,
    pub valid_from: Option<Date>,
    pub valid_to: Option<Date>,
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
