//! SeaORM entities of Yhdyspinta: plain database rows, nothing GraphQL.

pub mod action;
pub mod action_organisation;
pub mod agreement;
pub mod agreement_party;
pub mod area;
pub mod area_municipality;
pub mod audit_log;
pub mod enums;
pub mod goal;
pub mod meeting;
pub mod membership;
pub mod metric;
pub mod network;
pub mod network_topic;
pub mod organisation;
pub mod persisted_query;
pub mod person;
pub mod progress_report;
pub mod representative;
pub mod representative_municipality;
pub mod topic;
pub mod webhook;
pub mod webhook_delivery;
