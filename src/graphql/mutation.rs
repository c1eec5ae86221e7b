//! Mutations. Each runs in one transaction: check the input, lock the row, ask the policy,
//! compare versions, write, append the audit entry, commit. A failure anywhere rolls back
//! everything, the audit entry included.

use async_graphql::{Context, ID, Object, SimpleObject};
use chrono::Utc;
use entity::enums as db;
use entity::*;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseTransaction, EntityTrait, IntoActiveModel, QueryFilter,
};
use uuid::Uuid;

use super::inputs::*;
use super::types::*;
use super::write::*;
pub(super) use crate::auth::owners::{action_owners, network_owners};
use crate::auth::policy;
use crate::domain::organisation::service as organisation_service;
pub(super) use crate::domain::reference::service::topic_id;
use crate::error::*;
use crate::input;


/// The network after a write.
#[derive(SimpleObject)]
pub struct NetworkPayload {
    /// The row as written.
    pub network: Network,
}

/// The seat after a write.
#[derive(SimpleObject)]
pub struct MembershipPayload {
    /// The row as written.
    pub membership: NetworkMembership,
}

/// The meeting after a write.
#[derive(SimpleObject)]
pub struct MeetingPayload {
    /// The row as written.
    pub meeting: Meeting,
}

/// The action after a write.
#[derive(SimpleObject)]
pub struct ActionPayload {
    /// The row as written.
    pub action: Action,
}

/// The progress report after a write.
#[derive(SimpleObject)]
pub struct ProgressReportPayload {
    /// The row as written.
    pub progress_report: ProgressReport,
}

pub(super) fn deleted(id: Uuid, removed: u64) -> DeletePayload {
    DeletePayload {
        deleted_id: ID(id.to_string()),
        removed_references: i32::try_from(removed).unwrap_or(i32::MAX),
    }
}

