//! Pages of child rows for many parents at once: the loading behind every nested
//! connection (an organisation's representatives, a network's meetings …).
//!
//! One statement reads the page of every parent of a level: for up to 200 parents a `UNION
//! ALL` of one `ORDER BY … LIMIT` per parent, which an index on (parent, order) answers by
//! reading only the page; for more, `ROW_NUMBER() OVER (PARTITION BY parent ORDER BY …)`
//! numbers each parent's rows. Either way only the rows of the page (plus one, to know
//! whether there is a next page) leave the database, the work follows the page asked for,
//! not the size of the parent's list, and the number of statements follows the shape of the
//! query. A second statement, `COUNT(*) … GROUP BY parent`, runs only when a
//! `totalCount` cannot be known from the page itself.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use sea_orm::sea_query::{
    Alias, Asterisk, Expr, ExprTrait, Order, Query, SelectStatement, UnionType, WindowStatement,
};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, EntityTrait, FromQueryResult, QueryFilter, QueryOrder,
    QuerySelect, QueryTrait,
};
use uuid::Uuid;

use super::loaders::{DbLoader, LoadError};
use super::page::Window;

/// Most parents one statement names; both engines take far more parameters.
const CHUNK: usize = 1000;
/// Most parents whose pages are read as one `UNION ALL` of per-parent pages (SQLite takes at
/// most 500 terms in a compound `SELECT`); more are numbered by a window instead.
const UNION_MAX: usize = 200;
/// The column the window numbers each parent's rows in.
const ROW_NUMBER: &str = "page_row";

/// A relation from a parent row to a list of child rows, with the filter the key carries
/// besides the parent (a validity date, say).
pub trait Children: Copy + Hash + Eq + Send + Sync + 'static {
    /// The child table.
    type Entity: EntityTrait<Model: FromQueryResult + Send + Sync>;
    /// The parent's id.
    fn parent(&self) -> Uuid;
    /// The same relation and filter for another parent. Keys equal after `with_parent(nil)`
    /// are read by one statement.
    fn with_parent(&self, parent: Uuid) -> Self;
    /// The child column that holds the parent's id.
    fn parent_column() -> <Self::Entity as EntityTrait>::Column;
    /// The order of a parent's children; its last column is unique.
    fn order() -> Vec<<Self::Entity as EntityTrait>::Column>;
    /// The filter besides the parent.
    fn condition(&self) -> Condition {
        Condition::all()
    }
}

/// The row type of a relation's children.
pub type Row<K> = <<K as Children>::Entity as EntityTrait>::Model;

/// The children of one parent inside a window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct PageOf<K>(pub K, pub Window);

/// How many children one parent has.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CountOf<K>(pub K);

/// One parent's page of children.
#[derive(Debug)]
pub struct ChildPage<M> {
    /// The rows of the page, in the relation's order.
    pub rows: Vec<Arc<M>>,
    /// Whether rows follow the page.
    pub more: bool,
}

/// Groups keys that share a statement: equal but for their parent.
fn by_filter<K: Children>(keys: &[K]) -> HashMap<K, Vec<Uuid>> {
    let mut groups: HashMap<K, Vec<Uuid>> = HashMap::new();
    for key in keys {
        groups
            .entry(key.with_parent(Uuid::nil()))
            .or_default()
            .push(key.parent());
    }
    for parents in groups.values_mut() {
        parents.sort_unstable();
        parents.dedup();
    }
    groups
}

/// The rows `offset + 1 ..= offset + limit + 1` of each parent in `parents`, in order of
/// parent and the relation's order.
async fn page_rows<K: Children>(
    db: &impl ConnectionTrait,
    key: K,
    parents: &[Uuid],
    window: Window,
) -> Result<Vec<<K::Entity as EntityTrait>::Model>, LoadError> {
    let statement = if parents.len() <= UNION_MAX {
        union_of_pages(key, parents, window)
    } else {
        numbered_pages(key, parents, window)
    };
    K::Entity::find()
        .from_raw_sql(db.get_database_backend().build(&statement))
        .all(db)
        .await
        .map_err(Arc::new)
}

/// One `SELECT … WHERE parent = ? ORDER BY … LIMIT … OFFSET …` for each parent, joined by
/// `UNION ALL`: with an index on (parent, order) each parent's page is read straight from the
/// index, so the work follows the page even when a parent has thousands of children.
fn union_of_pages<K: Children>(key: K, parents: &[Uuid], window: Window) -> SelectStatement {
    let last = window.limit.saturating_add(1);
    let page = |(i, parent): (usize, &Uuid)| {
        let mut branch = K::Entity::find()
            .filter(K::parent_column().eq(*parent))
            .filter(key.condition())
            .limit(last)
            .offset(window.offset);
        for column in K::order() {
            branch = branch.order_by_asc(column);
        }
        Query::select()
            .column(Asterisk)
            .from_subquery(branch.into_query(), Alias::new(format!("page_{i}")))
            .to_owned()
    };
    let mut pages = parents.iter().enumerate().map(page);
    let mut statement = pages.next().unwrap_or_else(|| Query::select().to_owned());
    statement.unions(pages.map(|branch| (UnionType::All, branch)));
    statement.order_by(K::parent_column(), Order::Asc);
    for column in K::order() {
        statement.order_by(column, Order::Asc);
    }
    statement
}

/// The rows numbered `offset + 1 ..= offset + limit + 1` by `ROW_NUMBER() OVER (PARTITION BY
/// parent …)`: one scan of every parent's children, for levels with many parents.
fn numbered_pages<K: Children>(key: K, parents: &[Uuid], window: Window) -> SelectStatement {
    let row_number = Alias::new(ROW_NUMBER);
    let mut numbering = WindowStatement::partition_by(K::parent_column());
    for column in K::order() {
        numbering.order_by(column, Order::Asc);
    }
    let mut inner = K::Entity::find()
        .filter(K::parent_column().is_in(parents.iter().copied()))
        .filter(key.condition())
        .into_query();
    inner.expr_window_as(Expr::cust("ROW_NUMBER()"), numbering, row_number.clone());
    let first = window.offset;
    let last = window.offset.saturating_add(window.limit).saturating_add(1);
    Query::select()
        .column(Asterisk)
        .from_subquery(inner, Alias::new("numbered"))
        .and_where(Expr::col(row_number.clone()).gt(first as i64))
        .and_where(Expr::col(row_number.clone()).lte(i64::try_from(last).unwrap_or(i64::MAX)))
        .order_by(K::parent_column(), Order::Asc)
        .order_by(row_number, Order::Asc)
        .to_owned()
}

impl<K: Children> Loader<PageOf<K>> for DbLoader {
    type Value = Arc<ChildPage<<K::Entity as EntityTrait>::Model>>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[PageOf<K>],
    ) -> Result<HashMap<PageOf<K>, Self::Value>, Self::Error> {
        // One statement per distinct filter and window: siblings share both.
        let mut groups: HashMap<(K, Window), Vec<Uuid>> = HashMap::new();
        for PageOf(key, window) in keys {
            groups
                .entry((key.with_parent(Uuid::nil()), *window))
                .or_default()
                .push(key.parent());
        }
        let mut out = HashMap::new();
        for ((filter, window), mut parents) in groups {
            parents.sort_unstable();
            parents.dedup();
            for chunk in parents.chunks(CHUNK) {
                let rows = page_rows(&self.db, filter, chunk, window).await?;
                let mut grouped: HashMap<Uuid, Vec<Arc<_>>> = HashMap::new();
                for row in rows {
                    let parent = uuid_of(&row, K::parent_column());
                    grouped.entry(parent).or_default().push(Arc::new(row));
                }
                for parent in chunk {
                    let mut rows = grouped.remove(parent).unwrap_or_default();
                    let more = rows.len() as u64 > window.limit;
                    rows.truncate(window.limit as usize);
                    let key = PageOf(filter.with_parent(*parent), window);
                    out.insert(key, Arc::new(ChildPage { rows, more }));
                }
            }
        }
        Ok(out)
    }
}

impl<K: Children> Loader<CountOf<K>> for DbLoader {
    type Value = u64;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[CountOf<K>],
    ) -> Result<HashMap<CountOf<K>, Self::Value>, Self::Error> {
        let relations: Vec<K> = keys.iter().map(|k| k.0).collect();
        let mut out = HashMap::new();
        for (filter, parents) in by_filter(&relations) {
            for chunk in parents.chunks(CHUNK) {
                let counts: Vec<(Uuid, i64)> = K::Entity::find()
                    .select_only()
                    .column(K::parent_column())
                    .column_as(Expr::col(Asterisk).count(), "n")
                    .filter(K::parent_column().is_in(chunk.iter().copied()))
                    .filter(filter.condition())
                    .group_by(K::parent_column())
                    .into_tuple()
                    .all(&self.db)
                    .await
                    .map_err(Arc::new)?;
                let counts: HashMap<Uuid, i64> = counts.into_iter().collect();
                for parent in chunk {
                    let n = u64::try_from(counts.get(parent).copied().unwrap_or(0)).unwrap_or(0);
                    out.insert(CountOf(filter.with_parent(*parent)), n);
                }
            }
        }
        Ok(out)
    }
}

/// The parent id a child row holds.
fn uuid_of<M: sea_orm::ModelTrait>(row: &M, column: <M::Entity as EntityTrait>::Column) -> Uuid {
    match row.get(column) {
        sea_orm::Value::Uuid(Some(id)) => id,
        _ => Uuid::nil(),
    }
}

#[cfg(test)]
mod tests {
    use async_graphql::dataloader::Loader;
    use entity::enums::OrganisationKind;
    use entity::organisation;
    use sea_orm::EntityTrait;

    use super::{PageOf, UNION_MAX};
    use crate::db::loaders::{DbLoader, UnitsOf};
    use crate::db::page::Window;
    use crate::domain::organisation::fixtures;

    /// The pages of units of every organisation, read for `parents` at once, as
    /// (parent, names, more) for the parents that have units.
    async fn pages(
        loader: &DbLoader,
        parents: &[uuid::Uuid],
        window: Window,
    ) -> Vec<(uuid::Uuid, Vec<String>, bool)> {
        let keys: Vec<_> = parents
            .iter()
            .map(|p| PageOf(UnitsOf(*p), window))
            .collect();
        let pages = loader.load(&keys).await.unwrap();
        let mut out: Vec<_> = pages
            .into_iter()
            .filter(|(_, page)| !page.rows.is_empty())
            .map(|(PageOf(UnitsOf(parent), _), page)| {
                let names = page.rows.iter().map(|r| r.name_fi.clone()).collect();
                (parent, names, page.more)
            })
            .collect();
        out.sort();
        out
    }

    /// Both ways of reading pages (a `UNION ALL` of per-parent reads up to [`UNION_MAX`]
    /// parents, a window past it) give each parent its own page, in order, with `more`.
    #[tokio::test]
    async fn pages_are_the_same_for_few_and_many_parents() {
        let db = fixtures::seeded().await;
        // Every seeded organisation with no units of its own.
        let all = organisation::Entity::find().all(&db).await.unwrap();
        let mut parents: Vec<_> = all
            .iter()
            .map(|o| o.id)
            .filter(|id| all.iter().all(|o| o.parent_id != Some(*id)))
            .collect();
        parents.sort();
        assert!(parents.len() > UNION_MAX, "{} organisations", parents.len());
        let with_units = [parents[3], parents[150], parents[parents.len() - 1]];
        for (n, parent) in with_units.iter().enumerate() {
            for name in ["Yksikkö C", "Yksikkö A", "Yksikkö B"] {
                let name = format!("{name} {n}");
                fixtures::organisation(&db, &name, OrganisationKind::Unit, Some(*parent)).await;
            }
        }
        let loader = DbLoader { db };
        let window = Window {
            offset: 1,
            limit: 1,
        };
        let expected = |parents: &[uuid::Uuid]| {
            let mut expected: Vec<_> = with_units
                .iter()
                .enumerate()
                .filter(|(_, p)| parents.contains(p))
                .map(|(n, p)| (*p, vec![format!("Yksikkö B {n}")], true))
                .collect();
            expected.sort();
            expected
        };
        let few = &parents[..UNION_MAX];
        assert_eq!(pages(&loader, few, window).await, expected(few));
        assert_eq!(pages(&loader, &parents, window).await, expected(&parents));
        let last = Window {
            offset: 2,
            limit: 5,
        };
        let all = pages(&loader, &parents, last).await;
        assert_eq!(all.len(), 3);
        assert!(all.iter().all(|(_, names, more)| names.len() == 1 && !more));
    }
}
