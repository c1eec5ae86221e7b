//! Commit numbers for the change feed, and the webhook outbox written with them.
//!
//! Every audit row is written with `seq` null and `sub` its place among the transaction's
//! rows. As the last step before commit, [`seal`] takes the next number from the one row of
//! `change_counter` (`UPDATE … SET seq = seq + 1 RETURNING seq`) and gives it to the
//! transaction's rows. The update locks the counter row until the transaction ends, so no
//! other write takes a number between this one's numbering and its commit: numbers are
//! handed out in commit order, and a reader that has seen number `n` committed has seen
//! every number below it (on SQLite writes are serialised anyway). Rows of other
//! transactions still being written are invisible to the `WHERE seq IS NULL` of this one.
//!
//! In the same step every webhook that subscribed to a row's entity type gets an outbox row
//! (`webhook_delivery`), so a change committed is a delivery owed, whatever happens to the
//! process after the commit.

use chrono::Utc;
use entity::{audit_log, webhook, webhook_delivery};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseTransaction, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QuerySelect, Statement,
};
use uuid::Uuid;

use crate::error::{ApiResult, internal};

/// The delivery state of an outbox row not yet delivered.
pub const PENDING: &str = "PENDING";

/// The place the next audit row of `tx` takes among the transaction's rows.
pub async fn next_sub(tx: &DatabaseTransaction) -> ApiResult<i32> {
    let written = audit_log::Entity::find()
        .filter(audit_log::Column::Seq.is_null())
        .count(tx)
        .await?;
    i32::try_from(written).map_err(internal)
}

/// Numbers the transaction's audit rows and writes their outbox rows: the last step before
/// commit. Returns the number, or `None` when the transaction wrote no audit row.
pub async fn seal(tx: &DatabaseTransaction) -> ApiResult<Option<i64>> {
    let backend = tx.get_database_backend();
    let pending = audit_log::Entity::find()
        .filter(audit_log::Column::Seq.is_null())
        .count(tx)
        .await?;
    if pending == 0 {
        return Ok(None);
    }
    let next = Statement::from_string(
        backend,
        "UPDATE change_counter SET seq = seq + 1 WHERE id = 1 RETURNING seq",
    );
    let row = tx
        .query_one_raw(next)
        .await?
        .ok_or_else(|| internal("the change counter row is missing"))?;
    let seq: i64 = row.try_get("", "seq")?;
    audit_log::Entity::update_many()
        .col_expr(audit_log::Column::Seq, seq.into())
        .filter(audit_log::Column::Seq.is_null())
        .exec(tx)
        .await?;
    enqueue(tx, seq).await?;
    Ok(Some(seq))
}

/// Writes an outbox row for every audit row numbered `seq` and every webhook that wants
/// its entity type.
async fn enqueue(tx: &DatabaseTransaction, seq: i64) -> ApiResult<()> {
    let hooks = webhook::Entity::find().all(tx).await?;
    if hooks.is_empty() {
        return Ok(());
    }
    let rows: Vec<(Uuid, i32, String)> = audit_log::Entity::find()
        .select_only()
        .column(audit_log::Column::Id)
        .column(audit_log::Column::Sub)
        .column(audit_log::Column::EntityType)
        .filter(audit_log::Column::Seq.eq(seq))
        .into_tuple::<(Uuid, Option<i32>, String)>()
        .all(tx)
        .await?
        .into_iter()
        .map(|(id, sub, kind)| (id, sub.unwrap_or(0), kind))
        .collect();
    let now = Utc::now();
    for hook in &hooks {
        for (audit_id, sub, kind) in rows.iter().filter(|(_, _, kind)| wants(hook, kind)) {
            webhook_delivery::Model {
                id: Uuid::new_v4(),
                webhook_id: hook.id,
                audit_id: *audit_id,
                seq,
                sub: *sub,
                entity_type: kind.clone(),
                state: PENDING.to_owned(),
                attempts: 0,
                next_attempt_at: now,
                last_status: None,
                last_error: None,
                delivered_at: None,
                created_at: now,
            }
            .into_active_model()
            .insert(tx)
            .await?;
        }
    }
    Ok(())
}

/// Whether `hook` subscribed to changes of `kind`.
pub fn wants(hook: &webhook::Model, kind: &str) -> bool {
    hook.types
        .as_array()
        .is_some_and(|types| types.iter().any(|t| t.as_str() == Some(kind)))
}
