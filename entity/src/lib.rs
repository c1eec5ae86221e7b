//! SeaORM entities of Yhdyspinta: plain database rows, nothing GraphQL.

pub mod enums;
pub mod organisation;
pub mod topic;
pub mod person;
pub mod representative;
pub mod representative_municipality;
pub mod network;
pub mod network_topic;
pub mod membership;
pub mod meeting;
pub mod area;
pub mod area_municipality;
pub mod agreement;
pub mod agreement_party;
pub mod goal;
pub mod action;
pub mod action_organisation;
pub mod metric;
pub mod progress_report;
pub mod audit_log;
