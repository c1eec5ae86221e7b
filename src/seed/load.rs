//! Inserting the built [`Dataset`] into a database: only the rows that are missing, in one
//! transaction, so loading twice changes nothing.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

use anyhow::Context;
use chrono::Utc;
use entity::{
    action, action_organisation, agreement, agreement_party, area, area_municipality, goal,
    meeting, membership, metric, network, network_topic, organisation, person, representative,
    representative_municipality, topic,
};
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait,
    IntoActiveModel, PaginatorTrait, QueryFilter, QuerySelect, TransactionTrait,
};
use uuid::Uuid;

use super::build::Dataset;
use crate::domain::search::Searchable;

/// What [`load`] did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct LoadReport {
    /// Rows inserted per table; tables with nothing new are absent.
    pub inserted: BTreeMap<&'static str, usize>,
    /// Counties and municipalities, loaded before the seed had Swedish names, that were
    /// given theirs.
    pub swedish_names: usize,
}

impl LoadReport {
    /// Rows inserted in all tables.
    pub fn total(&self) -> usize {
        self.inserted.values().sum()
    }
}

/// Inserts the rows of `rows` whose primary key is not in the table yet.
async fn insert_missing<E, C>(
    db: &C,
    report: &mut LoadReport,
    table: &'static str,
    rows: Vec<E::Model>,
    key: impl Fn(&E::Model) -> (Uuid, Uuid),
    existing: Vec<(Uuid, Uuid)>,
) -> anyhow::Result<()>
where
    E: EntityTrait,
    E::Model: IntoActiveModel<E::ActiveModel>,
    E::ActiveModel: ActiveModelTrait<Entity = E> + Send,
    C: ConnectionTrait,
{
    let existing: HashSet<(Uuid, Uuid)> = existing.into_iter().collect();
    let missing: Vec<E::ActiveModel> = rows
        .into_iter()
        .filter(|row| !existing.contains(&key(row)))
        .map(IntoActiveModel::into_active_model)
        .collect();
    let count = missing.len();
    let mut rows = missing.into_iter().peekable();
    while rows.peek().is_some() {
        let chunk: Vec<E::ActiveModel> = rows.by_ref().take(200).collect();
        E::insert_many(chunk)
            .exec_without_returning(db)
            .await
            .with_context(|| format!("inserting seed rows into {table}"))?;
    }
    if count > 0 {
        report.inserted.insert(table, count);
    }
    Ok(())
}

/// Ids already present in a table with a single `id` key.
async fn ids<E, C>(db: &C, column: E::Column) -> anyhow::Result<Vec<(Uuid, Uuid)>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    let ids: Vec<Uuid> = E::find()
        .select_only()
        .column(column)
        .into_tuple()
        .all(db)
        .await?;
    Ok(ids.into_iter().map(|id| (id, Uuid::nil())).collect())
}

/// Key pairs already present in a join table.
async fn pairs<E, C>(db: &C, a: E::Column, b: E::Column) -> anyhow::Result<Vec<(Uuid, Uuid)>>
where
    E: EntityTrait,
    C: ConnectionTrait,
{
    Ok(E::find()
        .select_only()
        .column(a)
        .column(b)
        .into_tuple()
        .all(db)
        .await?)
}

/// Inserts the missing rows of a table with a single `id` key.
macro_rules! single {
    ($tx:expr, $report:expr, $module:ident, $rows:expr) => {{
        let existing = ids::<$module::Entity, _>($tx, $module::Column::Id).await?;
        insert_missing::<$module::Entity, _>(
            $tx,
            $report,
            stringify!($module),
            $rows,
            |m| (m.id, Uuid::nil()),
            existing,
        )
        .await?;
    }};
}

/// Inserts the missing rows of a join table keyed by the columns `$a` and `$b`.
macro_rules! pair {
    ($tx:expr, $report:expr, $module:ident, $a:ident, $b:ident, $rows:expr) => {{
        let existing = pairs::<$module::Entity, _>(
            $tx,
            <$module::Column as FromStr>::from_str(stringify!($a))
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
            <$module::Column as FromStr>::from_str(stringify!($b))
                .map_err(|e| anyhow::anyhow!("{e:?}"))?,
        )
        .await?;
        insert_missing::<$module::Entity, _>(
            $tx,
            $report,
            stringify!($module),
            $rows,
            |m| (m.$a, m.$b),
            existing,
        )
        .await?;
    }};
}

/// Loads every seed row that is missing, in one transaction.
pub async fn load(db: &DatabaseConnection) -> anyhow::Result<LoadReport> {
    let data = Dataset::build(Utc::now())?;
    let tx = db.begin_with_options(crate::db::tx::WRITE).await?;
    let report = insert_all(&tx, data).await?;
    crate::db::tx::notify(&tx).await?;
    tx.commit().await?;
    crate::db::version::bump();
    Ok(report)
}

/// Inserts the missing rows of every table, referenced tables first.
async fn insert_all<C: ConnectionTrait>(tx: &C, data: Dataset) -> anyhow::Result<LoadReport> {
    let mut report = LoadReport::default();
    let r = &mut report;
    r.swedish_names = add_swedish_names(tx, &data.organisations).await?;
    single!(tx, r, organisation, data.organisations);
    single!(tx, r, topic, data.topics);
    single!(tx, r, person, data.persons);
    single!(tx, r, representative, data.representatives);
    pair!(
        tx,
        r,
        representative_municipality,
        representative_id,
        municipality_id,
        data.representative_municipalities
    );
    single!(tx, r, area, data.areas);
    pair!(
        tx,
        r,
        area_municipality,
        area_id,
        municipality_id,
        data.area_municipalities
    );
    single!(tx, r, network, data.networks);
    pair!(
        tx,
        r,
        network_topic,
        network_id,
        topic_id,
        data.network_topics
    );
    single!(tx, r, membership, data.memberships);
    single!(tx, r, meeting, data.meetings);
    single!(tx, r, agreement, data.agreements);
    pair!(
        tx,
        r,
        agreement_party,
        agreement_id,
        organisation_id,
        data.agreement_parties
    );
    single!(tx, r, goal, data.goals);
    single!(tx, r, action, data.actions);
    pair!(
        tx,
        r,
        action_organisation,
        action_id,
        organisation_id,
        data.action_organisations
    );
    single!(tx, r, metric, data.metrics);

    Ok(report)
}

/// Gives the seed's organisations that are stored without a Swedish name the one the seed
/// has for them (the counties and municipalities of a database seeded before Swedish names
/// were shipped), with their search text and version updated; names set by editors stay.
async fn add_swedish_names<C: ConnectionTrait>(
    db: &C,
    rows: &[organisation::Model],
) -> anyhow::Result<usize> {
    let named: HashMap<Uuid, &str> = rows
        .iter()
        .filter_map(|o| Some((o.id, o.name_sv.as_deref()?)))
        .collect();
    let unnamed = organisation::Entity::find()
        .filter(organisation::Column::NameSv.is_null())
        .filter(organisation::Column::Id.is_in(named.keys().copied()))
        .all(db)
        .await?;
    let count = unnamed.len();
    for mut row in unnamed {
        row.name_sv = named.get(&row.id).map(|name| (*name).to_owned());
        row.refresh_search_text();
        organisation::Entity::update_many()
            .col_expr(organisation::Column::NameSv, Expr::value(row.name_sv))
            .col_expr(
                organisation::Column::SearchText,
                Expr::value(row.search_text),
            )
            .col_expr(
                organisation::Column::Version,
                Expr::col(organisation::Column::Version).add(1),
            )
            .col_expr(organisation::Column::UpdatedAt, Expr::value(Utc::now()))
            .filter(organisation::Column::Id.eq(row.id))
            .exec(db)
            .await
            .context("adding Swedish names")?;
    }
    Ok(count)
}

/// Whether the database holds no organisations yet, so a first start should seed it.
pub async fn is_empty(db: &DatabaseConnection) -> anyhow::Result<bool> {
    Ok(organisation::Entity::find()
        .filter(organisation::Column::Id.is_not_null())
        .count(db)
        .await?
        == 0)
}
