//! The write steps as the not-yet-moved mutations call them; each domain's move to
//! `domain::*::service` replaces these with `db::tx`, and the file goes with the last one.

use async_graphql::Context;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel,
    PrimaryKeyTrait, TransactionTrait,
};
use serde::Serialize;
use uuid::Uuid;

use super::db;
pub use crate::auth::guard::{enforce, writer as caller};
pub use crate::auth::owners::{owner, owners};
use crate::auth::policy::Principal;
pub use crate::db::audit::{Operation, audit};
pub use crate::db::tx::{commit, must_exist};
use crate::error::*;

/// Starts a write transaction.
pub async fn begin(ctx: &Context<'_>) -> ApiResult<DatabaseTransaction> {
    db(ctx).begin().await.map_err(internal)
}

/// Takes the write lock on a row (a row lock in PostgreSQL, the database write lock in
/// SQLite) and reads it; `NOT_FOUND` when it does not exist. Taking the lock first means a
/// concurrent writer waits instead of reading a version that is about to change.
pub async fn lock<E>(
    tx: &DatabaseTransaction,
    table: &'static str,
    id: Uuid,
    what: &str,
) -> ApiResult<E::Model>
where
    E: EntityTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    let touch = Query::update()
        .table(table)
        .value("version", Expr::col("version"))
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    let result = tx.execute(&touch).await.map_err(internal)?;
    if result.rows_affected() == 0 {
        return Err(not_found(format!("no {what} with id {id}")));
    }
    E::find_by_id(id)
        .one(tx)
        .await
        .map_err(internal)?
        .ok_or_else(|| not_found(format!("no {what} with id {id}")))
}

/// `CONFLICT` unless the client saw the current version.
pub fn check_version(current: i32, seen: i32, what: &str) -> ApiResult<()> {
    if current == seen {
        Ok(())
    } else {
        Err(conflict(format!(
            "the {what} has changed since you read it (version {seen}, now {current}); read it again and retry"
        )))
    }
}

/// Writes an updated row, appends its audit entry and commits: the end of every update.
pub async fn save<A>(
    tx: DatabaseTransaction,
    who: &Principal,
    entity_type: &str,
    id: Uuid,
    operation: Operation,
    before: &<A::Entity as EntityTrait>::Model,
    after: <A::Entity as EntityTrait>::Model,
) -> ApiResult<<A::Entity as EntityTrait>::Model>
where
    A: ActiveModelTrait + sea_orm::ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A> + Serialize,
{
    let after = after
        .into_active_model()
        .reset_all()
        .update(&tx)
        .await
        .map_err(internal)?;
    audit(
        &tx,
        who,
        entity_type,
        id,
        operation,
        Some(before),
        Some(&after),
    )
    .await?;
    commit(tx).await?;
    Ok(after)
}
