//! The audit log: who wrote what, when, with the row before and after, appended in the
//! write's own transaction so a rolled-back write leaves no entry.

use chrono::Utc;
use entity::audit_log;
use sea_orm::{ActiveModelTrait, DatabaseTransaction, IntoActiveModel};
use serde::Serialize;
use uuid::Uuid;

use crate::auth::policy::Principal;
use crate::error::{ApiResult, internal};

/// What a write did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
    End,
}

impl Operation {
    /// The stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Operation::Create => "CREATE",
            Operation::Update => "UPDATE",
            Operation::Delete => "DELETE",
            Operation::End => "END",
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
    }
    .into_active_model()
    .insert(tx)
    .await?;
    Ok(())
}
