//! The cascade every delete of an organisation or a person shares: its representatives and
//! seats go, each with its audit entry; only current ones block a delete.

use entity::{membership, representative};
use sea_orm::sea_query::SimpleExpr;
use sea_orm::{ColumnTrait, Condition, DatabaseTransaction, EntityTrait, QueryFilter};

use crate::auth::policy::Principal;
use crate::db::audit::{Operation, audit};
use crate::db::tx::{self, Record};
use crate::error::{ApiResult, conflict};

/// Rows whose validity has not ended: no last day, or one today or later.
pub fn still_valid<C: ColumnTrait>(valid_to: C) -> Condition {
    Condition::any()
        .add(valid_to.is_null())
        .add(valid_to.gte(crate::clock::today()))
}

/// Removes the representatives and seats matching the conditions, each with its own audit
/// entry, and returns how many rows went. Shared by the deletes of organisations, persons
/// and whatever else takes its roles with it.
pub async fn remove_roles(
    tx: &DatabaseTransaction,
    who: &Principal,
    representatives: SimpleExpr,
    seats: SimpleExpr,
) -> ApiResult<u64> {
    let reps = representative::Entity::find()
        .filter(representatives.clone())
        .all(tx)
        .await?;
    for rep in &reps {
        audit(
            tx,
            who,
            "Representative",
            rep.id,
            Operation::Delete,
            Some(rep),
            None,
        )
        .await?;
    }
    let seat_rows = membership::Entity::find()
        .filter(seats.clone())
        .all(tx)
        .await?;
    for seat in &seat_rows {
        audit(
            tx,
            who,
            "NetworkMembership",
            seat.id,
            Operation::Delete,
            Some(seat),
            None,
        )
        .await?;
    }
    Ok(representative::Entity::delete_many()
        .filter(representatives)
        .exec(tx)
        .await?
        .rows_affected
        + membership::Entity::delete_many()
            .filter(seats)
            .exec(tx)
            .await?
            .rows_affected)
}

/// `CONFLICT` when `current` roles or links remain and the caller did not ask to `cascade`;
/// `what` says what remains.
pub fn refuse_current(
    current: u64,
    cascade: bool,
    what: impl FnOnce(u64) -> String,
) -> ApiResult<()> {
    if current > 0 && !cascade {
        Err(conflict(format!(
            "{}; end or delete them first, or delete with cascade: true",
            what(current)
        )))
    } else {
        Ok(())
    }
}

/// The last step of a cascading delete: the row itself goes, audited, and the transaction
/// commits. Returns `removed`, the referring rows that went with it.
pub async fn finish<M: Record>(
    tx: DatabaseTransaction,
    who: &Principal,
    row: &M,
    removed: u64,
) -> ApiResult<u64> {
    tx::remove(&tx, who, row).await?;
    tx::commit(tx).await?;
    Ok(removed)
}
