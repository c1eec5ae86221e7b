//! One change to send to one webhook: the outbox row and its delivery state.

use sea_orm::entity::prelude::*;
use serde::{Deserialize, Serialize};

/// One change to send to one webhook, written in the change's own transaction.
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel, Serialize, Deserialize)]
#[sea_orm(table_name = "webhook_delivery")]
pub struct Model {
    /// Also the `webhook-id` header: the same on every attempt.
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub webhook_id: Uuid,
    pub audit_id: Uuid,
    pub seq: i64,
    pub sub: i32,
    pub entity_type: String,
    /// `PENDING`, `DELIVERED` or `FAILED`.
    pub state: String,
    pub attempts: i32,
    /// When the next attempt is due (also the lease of a claimed row).
    pub next_attempt_at: DateTimeUtc,
    pub last_status: Option<i32>,
    pub last_error: Option<String>,
    pub delivered_at: Option<DateTimeUtc>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
