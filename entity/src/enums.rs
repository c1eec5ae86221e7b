//! Enumerations stored as short upper-case strings, so the same value reads the same in
//! SQLite, PostgreSQL, the seed files and the GraphQL schema.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// What kind of body an organisation is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrganisationKind {
    #[sea_orm(string_value = "WELLBEING_COUNTY")]
    WellbeingCounty,
    #[sea_orm(string_value = "MUNICIPALITY")]
    Municipality,
    #[sea_orm(string_value = "REGIONAL_COUNCIL")]
    RegionalCouncil,
    #[sea_orm(string_value = "STATE_AGENCY")]
    StateAgency,
    #[sea_orm(string_value = "NGO")]
    Ngo,
    #[sea_orm(string_value = "EDUCATIONAL_INSTITUTION")]
    EducationalInstitution,
    #[sea_orm(string_value = "JOINT_AUTHORITY")]
    JointAuthority,
    #[sea_orm(string_value = "UNIT")]
    Unit,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Interface topic or common theme.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum TopicKind {
    #[sea_orm(string_value = "INTERFACE")]
    Interface,
    #[sea_orm(string_value = "COMMON_THEME")]
    CommonTheme,
}

/// Level of cooperation (taso).
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    PartialOrd,
    Ord,
    EnumIter,
    DeriveActiveEnum,
    Serialize,
    Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Level {
    #[sea_orm(string_value = "LEADERSHIP")]
    Leadership,
    #[sea_orm(string_value = "INTERFACE")]
    Interface,
    #[sea_orm(string_value = "EVERYDAY")]
    Everyday,
    #[sea_orm(string_value = "PARTICIPATION")]
    Participation,
}

/// Who may see a person's e-mail and phone.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum Visibility {
    #[sea_orm(string_value = "PUBLIC")]
    Public,
    #[sea_orm(string_value = "INTERNAL")]
    Internal,
}

/// What kind of standing group a network is.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum NetworkKind {
    #[sea_orm(string_value = "FORUM")]
    Forum,
    #[sea_orm(string_value = "ADVISORY_BOARD")]
    AdvisoryBoard,
    #[sea_orm(string_value = "COMMITTEE")]
    Committee,
    #[sea_orm(string_value = "STEERING_GROUP")]
    SteeringGroup,
    #[sea_orm(string_value = "WORKING_GROUP")]
    WorkingGroup,
    #[sea_orm(string_value = "NETWORK")]
    Network,
    #[sea_orm(string_value = "SERVICE_DISCUSSION")]
    ServiceDiscussion,
    #[sea_orm(string_value = "SERVICE_POINT")]
    ServicePoint,
    #[sea_orm(string_value = "PREPARATORY_BODY")]
    PreparatoryBody,
}

/// The role of a seat in a network.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MembershipRole {
    #[sea_orm(string_value = "MEMBER")]
    Member,
    #[sea_orm(string_value = "CHAIR")]
    Chair,
    #[sea_orm(string_value = "VICE_CHAIR")]
    ViceChair,
    #[sea_orm(string_value = "SECRETARY")]
    Secretary,
    #[sea_orm(string_value = "EXPERT")]
    Expert,
    #[sea_orm(string_value = "OBSERVER")]
    Observer,
    #[sea_orm(string_value = "CONVENER")]
    Convener,
}

/// What an area groups municipalities for.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(32))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum AreaKind {
    #[sea_orm(string_value = "SERVICE_DISCUSSION")]
    ServiceDiscussion,
    #[sea_orm(string_value = "FAMILY_CENTRE")]
    FamilyCentre,
    #[sea_orm(string_value = "EMPLOYMENT")]
    Employment,
    #[sea_orm(string_value = "COOPERATION")]
    Cooperation,
    #[sea_orm(string_value = "OTHER")]
    Other,
}

/// Where an action of the programme stands.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ActionStatus {
    #[sea_orm(string_value = "PLANNED")]
    Planned,
    #[sea_orm(string_value = "IN_PROGRESS")]
    InProgress,
    #[sea_orm(string_value = "COMPLETED")]
    Completed,
    #[sea_orm(string_value = "CANCELLED")]
    Cancelled,
}

impl ActionStatus {
    /// Planned and in-progress actions are open; completed and cancelled ones are closed.
    pub fn is_open(self) -> bool {
        matches!(self, Self::Planned | Self::InProgress)
    }
}

/// How a metric is followed up.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum, Serialize, Deserialize,
)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::N(16))")]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum MetricKind {
    #[sea_orm(string_value = "YES_NO")]
    YesNo,
    #[sea_orm(string_value = "NUMBER")]
    Number,
    #[sea_orm(string_value = "TEXT")]
    Text,
}
