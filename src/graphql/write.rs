//! What every write shares: the caller check, row locking with optimistic versions, owner
//! chains for the policy, and the audit log written in the same transaction.

use async_graphql::Context;
use chrono::Utc;
use entity::*;
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelTrait, ConnectionTrait, DatabaseTransaction, EntityTrait, IntoActiveModel,
    PrimaryKeyTrait, TransactionTrait,
};
use serde::Serialize;
use uuid::Uuid;

use super::{db, viewer};
use crate::error::*;
use crate::policy::{Decision, Owner, Principal};

/// The authenticated caller, or `UNAUTHENTICATED`.
pub fn caller<'a>(ctx: &Context<'a>) -> ApiResult<&'a Principal> {
    viewer(ctx)
        .principal()
        .ok_or_else(|| unauthenticated("mutations need an Authorization: Bearer token"))
}

/// Turns a policy decision into an error.
pub fn enforce(decision: Decision, what: &str) -> ApiResult<()> {
    match decision {
        Decision::Allow => Ok(()),
        Decision::Unauthenticated => Err(unauthenticated(
            "mutations need an Authorization: Bearer token",
        )),
        Decision::Forbidden => Err(forbidden(format!(
            "your token does not allow writing {what}"
        ))),
    }
}

/// Starts a write transaction.
pub async fn begin(ctx: &Context<'_>) -> ApiResult<DatabaseTransaction> {
    db(ctx).begin().await.map_err(internal)
}

/// The owner chain of an organisation: itself and its parents.
pub async fn owner<C: ConnectionTrait>(db: &C, org: Uuid) -> ApiResult<Owner> {
    let mut chain = vec![org];
    let mut current = org;
    for _ in 0..8 {
        let parent = organisation::Entity::find_by_id(current)
            .one(db)
            .await
            .map_err(internal)?
            .and_then(|o| o.parent_id);
        match parent {
            Some(parent) if !chain.contains(&parent) => {
                chain.push(parent);
                current = parent;
            }
            _ => break,
        }
    }
    Ok(Owner { chain })
}

/// Owner chains of several organisations.
pub async fn owners<C: ConnectionTrait>(
    db: &C,
    orgs: impl IntoIterator<Item = Uuid>,
) -> ApiResult<Vec<Owner>> {
    let mut out = Vec::new();
    for org in orgs {
        out.push(owner(db, org).await?);
    }
    Ok(out)
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

/// What a write did, for the audit log.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    Create,
    Update,
    Delete,
    End,
}

impl Operation {
    fn as_str(self) -> &'static str {
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
    .await
    .map_err(internal)?;
    Ok(())
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

/// Commits, reporting failures as internal errors.
pub async fn commit(tx: DatabaseTransaction) -> ApiResult<()> {
    tx.commit().await.map_err(internal)
}

/// Fails with `BAD_USER_INPUT` naming `field` when `id` is not a row of `E`.
pub async fn must_exist<E, C>(db: &C, field: &str, id: Uuid, what: &str) -> ApiResult<E::Model>
where
    E: EntityTrait,
    C: ConnectionTrait,
    <E::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    E::find_by_id(id)
        .one(db)
        .await
        .map_err(internal)?
        .ok_or_else(|| bad_input(field, format!("no {what} with id {id}")))
}
