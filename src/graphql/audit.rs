//! The GraphQL face of the audit log: its entries and the admins' `auditLog` query.

use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, Utc};
use entity::audit_log;

use super::context::{db, parse_opt_id, viewer};
use super::paging::{List, Page};
use crate::db::audit;
use crate::error::ApiResult;

/// An entry of the audit log.
#[derive(SimpleObject, Clone)]
pub struct AuditEntry {
    /// Stable id.
    pub id: ID,
    /// When the write committed.
    pub occurred_at: DateTime<Utc>,
    /// The token's subject.
    pub actor_sub: String,
    /// The token's name claim.
    pub actor_name: Option<String>,
    /// The type written (`Representative`).
    pub entity_type: String,
    /// The row written.
    pub entity_id: ID,
    /// `CREATE`, `UPDATE`, `END`, `DELETE` or `CONFIRM` (a confirmation that the row is still
    /// true: only `reviewedAt`, `reviewedBy`, `version` and `updatedAt` differ).
    pub operation: String,
    /// The row before the write.
    pub before: Option<Json<serde_json::Value>>,
    /// The row after the write.
    pub after: Option<Json<serde_json::Value>>,
}

impl From<audit_log::Model> for AuditEntry {
    fn from(r: audit_log::Model) -> Self {
        AuditEntry {
            id: ID(r.id.to_string()),
            occurred_at: r.occurred_at,
            actor_sub: r.actor_sub,
            actor_name: r.actor_name,
            entity_type: r.entity_type,
            entity_id: ID(r.entity_id.to_string()),
            operation: r.operation,
            before: r.before.map(Json),
            after: r.after.map(Json),
        }
    }
}

/// The audit log query.
#[derive(Default)]
pub struct AuditQuery;

#[Object]
impl AuditQuery {
    /// The audit log, newest first, optionally of one row. Admins only.
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        entity_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<AuditEntry>> {
        let who = viewer(ctx).principal();
        let page = Page::new(first, after)?;
        let entity = parse_opt_id("entityId", &entity_id)?;
        let (rows, total) = audit::list(db(ctx), who, entity, page.offset, page.limit).await?;
        Ok(page.connection(rows.into_iter().map(AuditEntry::from).collect(), total))
    }
}
