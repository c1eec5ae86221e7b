//! Write transactions: every write is one transaction that locks the row, checks the
//! version the client saw, writes, appends its audit entry and commits. The steps live here
//! once; services call [`lock_for_update`], [`insert`], [`save`] and [`remove`].

use chrono::{DateTime, Utc};
use sea_orm::sea_query::{Expr, ExprTrait, Query};
use sea_orm::{
    ActiveModelBehavior, ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityName, EntityTrait, IntoActiveModel, PrimaryKeyTrait, QueryFilter,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use serde::Serialize;
use uuid::Uuid;

use super::audit::{Operation, audit};
use crate::auth::policy::Principal;
use crate::error::{ApiResult, bad_input, conflict, not_found};

/// A row written under optimistic versioning. Each entity implements it once (with
/// [`versioned!`](crate::versioned)), so `version`, `updated_at` and derived columns are set
/// in exactly one place.
pub trait Versioned: Clone + Serialize + Send + Sync + Sized + 'static {
    /// The entity whose row this is.
    type Entity: EntityTrait<Model = Self>;
    /// The entity's active model.
    type Active: ActiveModelTrait<Entity = Self::Entity> + ActiveModelBehavior + Send;
    /// The name in the audit log and in messages (`Organisation`).
    const TYPE: &'static str;
    /// What a caller calls it (`organisation`).
    const NOUN: &'static str;
    /// The primary key.
    fn id(&self) -> Uuid;
    /// The version the row carries.
    fn version(&self) -> i32;
    /// Sets version and timestamps for a write at `now` (`created` for a new row).
    fn stamp(&mut self, now: DateTime<Utc>, created: bool);
    /// Recomputes columns derived from the row's own fields (the search text).
    fn derive(&mut self) {}
}

/// A [`Versioned`] row that converts into its active model: what the write steps take.
pub trait Record: Versioned + IntoActiveModel<<Self as Versioned>::Active> {}

impl<M: Versioned + IntoActiveModel<<M as Versioned>::Active>> Record for M {}

/// Implements [`Versioned`] for an entity with `id`, `version`, `created_at` and
/// `updated_at` columns; `searchable` also refreshes its search text on every write.
#[macro_export]
macro_rules! versioned {
    ($entity:ident, $type_name:literal, $noun:literal, searchable) => {
        $crate::versioned!(@impl $entity, $type_name, $noun,
            fn derive(&mut self) {
                $crate::domain::search::Searchable::refresh_search_text(self);
            }
        );
    };
    ($entity:ident, $type_name:literal, $noun:literal) => {
        $crate::versioned!(@impl $entity, $type_name, $noun,);
    };
    (@impl $entity:ident, $type_name:literal, $noun:literal, $($derive:item)?) => {
        impl $crate::db::tx::Versioned for ::entity::$entity::Model {
            type Entity = ::entity::$entity::Entity;
            type Active = ::entity::$entity::ActiveModel;
            const TYPE: &'static str = $type_name;
            const NOUN: &'static str = $noun;
            fn id(&self) -> ::uuid::Uuid {
                self.id
            }
            fn version(&self) -> i32 {
                self.version
            }
            fn stamp(&mut self, now: ::chrono::DateTime<::chrono::Utc>, created: bool) {
                if created {
                    self.version = 1;
                    self.created_at = now;
                } else {
                    self.version += 1;
                }
                self.updated_at = now;
            }
            $($derive)?
        }
    };
}

/// Starts a write transaction. On SQLite it takes the database's write lock at once
/// (`BEGIN IMMEDIATE`), waiting up to the busy timeout while another writer holds it: a
/// deferred transaction that reads first and writes later cannot upgrade its read snapshot
/// once another writer has committed, and SQLite fails it with `SQLITE_BUSY` at once,
/// without waiting. PostgreSQL ignores the mode (its row locks queue writers already).
pub async fn begin(db: &DatabaseConnection) -> ApiResult<DatabaseTransaction> {
    Ok(db.begin_with_options(WRITE).await?)
}

/// How a write transaction starts: see [`begin`].
pub const WRITE: TransactionOptions = TransactionOptions {
    isolation_level: None,
    access_mode: None,
    sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
};

/// Numbers the write's audit rows and writes their webhook outbox rows (see
/// [`super::changes`]), commits, and marks the data changed for the caches and the webhook
/// worker (see [`super::version`]): this process's at once, other processes' on PostgreSQL
/// by a `NOTIFY` that the commit delivers.
pub async fn commit(tx: DatabaseTransaction) -> ApiResult<()> {
    super::changes::seal(&tx).await?;
    notify(&tx).await?;
    tx.commit().await?;
    super::version::bump();
    Ok(())
}

/// Tells every API node listening on the same PostgreSQL that the data changes when `tx`
/// commits (a notification is delivered at commit, and never when the transaction rolls
/// back). SQLite has one node, and no notifications.
pub async fn notify(tx: &DatabaseTransaction) -> Result<(), sea_orm::DbErr> {
    if tx.get_database_backend() == sea_orm::DbBackend::Postgres {
        tx.execute_unprepared(&format!("NOTIFY {}", super::version::CHANNEL))
            .await?;
    }
    Ok(())
}

/// Takes the write lock on a row (a row lock in PostgreSQL, the database write lock in
/// SQLite) and reads it; `NOT_FOUND` when it does not exist. Taking the lock first means a
/// concurrent writer waits instead of reading a version that is about to change.
pub async fn lock<M>(tx: &DatabaseTransaction, id: Uuid) -> ApiResult<M>
where
    M: Record,
    <<M::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    let table = M::Entity::default().table_name().to_owned();
    let touch = Query::update()
        .table(table)
        .value("version", Expr::col("version"))
        .and_where(Expr::col("id").eq(id))
        .to_owned();
    let missing = || not_found(format!("no {} with id {id}", M::NOUN));
    if tx.execute(&touch).await?.rows_affected() == 0 {
        return Err(missing());
    }
    M::Entity::find_by_id(id).one(tx).await?.ok_or_else(missing)
}

/// `CONFLICT` unless the client saw the current version.
pub fn check_version<M: Versioned>(current: &M, seen: i32) -> ApiResult<()> {
    if current.version() == seen {
        Ok(())
    } else {
        Err(conflict(format!(
            "the {} has changed since you read it (version {seen}, now {}); read it again and retry",
            M::NOUN,
            current.version()
        )))
    }
}

/// Begins a transaction, locks the row and checks the version the client saw: the start of
/// every update, end and versioned delete.
pub async fn lock_for_update<M>(
    db: &DatabaseConnection,
    id: Uuid,
    seen: i32,
) -> ApiResult<(DatabaseTransaction, M)>
where
    M: Record,
    <<M::Entity as EntityTrait>::PrimaryKey as PrimaryKeyTrait>::ValueType: From<Uuid>,
{
    let tx = begin(db).await?;
    let row: M = lock(&tx, id).await?;
    check_version(&row, seen)?;
    Ok((tx, row))
}

/// Inserts a new row (version 1, derived columns computed) and audits it; the caller
/// commits, so related rows can join the same transaction.
pub async fn insert<M>(tx: &DatabaseTransaction, who: &Principal, mut row: M) -> ApiResult<M>
where
    M: Record,
{
    row.stamp(Utc::now(), true);
    row.derive();
    let inserted = row.into_active_model().insert(tx).await?;
    audit(
        tx,
        who,
        M::TYPE,
        inserted.id(),
        Operation::Create,
        None,
        Some(&inserted),
    )
    .await?;
    Ok(inserted)
}

/// Writes a changed row (version bumped, derived columns recomputed), audits it with its
/// `before`, and commits: the end of every update and end.
pub async fn save<M>(
    tx: DatabaseTransaction,
    who: &Principal,
    operation: Operation,
    before: &M,
    after: M,
) -> ApiResult<M>
where
    M: Record,
{
    let after = update(&tx, who, operation, before, after).await?;
    commit(tx).await?;
    Ok(after)
}

/// Writes a changed row and audits it like [`save`], leaving the commit to the caller, so
/// that several rows change in one transaction (the CSV import).
pub async fn update<M>(
    tx: &DatabaseTransaction,
    who: &Principal,
    operation: Operation,
    before: &M,
    mut after: M,
) -> ApiResult<M>
where
    M: Record,
{
    after.stamp(Utc::now(), false);
    after.derive();
    let after = after.into_active_model().reset_all().update(tx).await?;
    audit(
        tx,
        who,
        M::TYPE,
        after.id(),
        operation,
        Some(before),
        Some(&after),
    )
    .await?;
    Ok(after)
}

/// Deletes a row and audits it; the caller commits.
pub async fn remove<M: Record>(
    tx: &DatabaseTransaction,
    who: &Principal,
    row: &M,
) -> ApiResult<()> {
    audit(
        tx,
        who,
        M::TYPE,
        row.id(),
        Operation::Delete,
        Some(row),
        None,
    )
    .await?;
    row.clone().into_active_model().delete(tx).await?;
    Ok(())
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
        .await?
        .ok_or_else(|| bad_input(field, format!("no {what} with id {id}")))
}

/// Replaces the link rows of a parent (those whose `column` is `parent`) with `links`; the
/// caller commits. Links are plain join rows: not versioned, not audited.
pub async fn replace_links<A>(
    tx: &DatabaseTransaction,
    column: <A::Entity as EntityTrait>::Column,
    parent: Uuid,
    links: impl IntoIterator<Item = A>,
) -> ApiResult<()>
where
    A: ActiveModelTrait + ActiveModelBehavior + Send,
    <A::Entity as EntityTrait>::Model: IntoActiveModel<A>,
{
    A::Entity::delete_many()
        .filter(column.eq(parent))
        .exec(tx)
        .await?;
    for link in links {
        link.insert(tx).await?;
    }
    Ok(())
}
