//! A cooperation agreement.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A cooperation agreement.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "agreement")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub title_fi: String,
    pub title_sv: Option<String>,
    pub title_en: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    pub county_id: Uuid,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    #[sea_orm(column_type = "Text", nullable)]
    pub legal_basis: Option<String>,
    pub created_at: DateTimeUtc,
    pub updated_at: DateTimeUtc,
    /// optimistic-concurrency version, bumped on every update
    pub version: i32,
    /// how many signatures the signed document carries
    pub signatures: Option<i32>,
    /// the day of the first signature
    pub signed_from: Option<Date>,
    /// the day of the last signature
    pub signed_to: Option<Date>,
    /// who pays for meetings, as the agreement words it
    #[sea_orm(column_type = "Text", nullable)]
    pub cost_rule: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
