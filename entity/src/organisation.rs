//! A municipality, wellbeing services county, regional council, agency, association, school or a unit of one of them.

use crate::enums::OrganisationKind;
use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// A municipality, wellbeing services county, regional council, agency, association, school or a unit of one of them.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "organisation")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: OrganisationKind,
    /// Finnish name (required)
    pub name_fi: String,
    /// Swedish name
    pub name_sv: Option<String>,
    /// English name
    pub name_en: Option<String>,
    pub short_name: Option<String>,
    /// Y-tunnus; unique
    pub business_id: Option<String>,
    /// kuntanumero; unique
    pub municipality_code: Option<String>,
    /// two-digit code of a county (or 90 for Helsinki) when this is one
    pub county_code: Option<String>,
    /// the county the organisation belongs to
    pub county_id: Option<Uuid>,
    /// the organisation this one is a unit of
    pub parent_id: Option<Uuid>,
    pub email: Option<String>,
    pub phone: Option<String>,
    pub website: Option<String>,
    pub address: Option<String>,
    #[sea_orm(column_type = "Text", nullable)]
    pub description: Option<String>,
    /// normalised words for search, maintained by the application
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
    /// the organisation's mission as its strategy words it
    #[sea_orm(column_type = "Text", nullable)]
    pub mission: Option<String>,
    /// its strategic priority areas, one per line, in the strategy's order
    #[sea_orm(column_type = "Text", nullable)]
    pub priorities: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
