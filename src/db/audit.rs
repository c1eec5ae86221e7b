//! The audit log: who wrote what, when, with the row before and after, appended in the
//! write's own transaction so a rolled-back write leaves no entry.

use chrono::Utc;
use entity::audit_log;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::guard::enforce;
use crate::auth::policy::{self, Principal};
use crate::error::{ApiResult, internal};

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
    End,
    /// A confirmation that the row is still true: only its review stamp changes.
    Confirm,
}

impl Operation {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::End => "END",
            Operation::Confirm => "CONFIRM",
        }
    }
}

/// Appends an audit row inside the write's transaction.
pub async fn audit<T: Serialize>(
    tx: &DatabaseTransaction,
    who: &Principal,
    entity_type: &str,
    entity_id: Uuid,
    operation: Operation,
    before: Option<&T>,
    after: Option<&T>,
) -> ApiResult<()> {
    let json = |v: Option<&T>| v.map(serde_json::to_value).transpose().map_err(internal);
    let sub = super::changes::next_sub(tx).await?;
    audit_log::Model {
        id: Uuid::new_v4(),
        occurred_at: Utc::now(),
        actor_sub: who.sub.clone(),
        actor_name: who.name.clone(),
        entity_type: entity_type.to_owned(),
        entity_id,
        operation: operation.as_str().to_owned(),
        before: json(before)?,
        after: json(after)?,
        seq: None,
        sub: Some(sub),
    }
    .into_active_model()
    .insert(tx)
    .await?;
    Ok(())
}

/// One page of the audit log, newest first, optionally of one row, with the total: for
/// admins only (`FORBIDDEN` or `UNAUTHENTICATED` otherwise).
pub async fn list<C: ConnectionTrait>(
    db: &C,
    who: Option<&Principal>,
    entity_id: Option<Uuid>,
    offset: u64,
    limit: u64,
) -> ApiResult<(Vec<audit_log::Model>, u64)> {
    enforce(policy::admin_only(who), "the audit log")?;
    let mut query = audit_log::Entity::find();
    if let Some(entity) = entity_id {
        query = query.filter(audit_log::Column::EntityId.eq(entity));
    }
    let query = query
        .order_by_desc(audit_log::Column::OccurredAt)
        .order_by_desc(audit_log::Column::Id);
    let total = query.clone().count(db).await?;
    let rows = query.offset(offset).limit(limit).all(db).await?;
    Ok((rows, total))
}
