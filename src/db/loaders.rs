//! Batched loading of related rows. Every nested field loads through one per-request
//! [`Batcher`] over [`DbLoader`], keyed by a small key type per relation, so a request
//! runs one statement per relation and level of its shape however many rows it returns.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::dataloader::Loader;
use chrono::NaiveDate;
use entity::*;
use sea_orm::sea_query::SimpleExpr;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DbErr, EntityTrait, ModelTrait, QueryFilter,
    QueryOrder, Value,
};
use uuid::Uuid;

use super::batch::Batcher;
use super::children::Children;

/// Runs the batched queries of one request.
pub struct DbLoader {
    pub(crate) db: DatabaseConnection,
}

/// The per-request loader: batches without a timer and caches for the request.
pub type Loaders = Batcher<DbLoader>;

/// A loader for one request.
pub fn loaders(db: DatabaseConnection) -> Loaders {
    Batcher::new(DbLoader { db })
}

/// Loading errors are shared between the fields that waited on the same batch.
pub type LoadError = Arc<DbErr>;

/// Most ids one `IN (…)` list holds; both SQLite and PostgreSQL take far more parameters.
const CHUNK: usize = 1000;

/// Rows valid on `date`: started on or before it and not ended before it.
pub fn valid_on<C: ColumnTrait>(from: C, to: C, date: NaiveDate) -> Condition {
    Condition::all()
        .add(Condition::any().add(from.is_null()).add(from.lte(date)))
        .add(Condition::any().add(to.is_null()).add(to.gte(date)))
}

fn uuid_of(value: Value) -> Option<Uuid> {
    match value {
        Value::Uuid(Some(id)) => Some(id),
        _ => None,
    }
}

/// Rows of `E` whose `column` is one of `keys`, ordered by `order`, with `extra` applied.
async fn rows_where_in<E>(
    db: &DatabaseConnection,
    column: E::Column,
    keys: &[Uuid],
    extra: Condition,
    order: &[E::Column],
) -> Result<Vec<E::Model>, LoadError>
where
    E: EntityTrait,
{
    let mut keys = keys.to_vec();
    keys.sort_unstable();
    keys.dedup();
    let mut out = Vec::new();
    for chunk in keys.chunks(CHUNK) {
        let mut query = E::find()
            .filter(column.is_in(chunk.iter().copied()))
            .filter(extra.clone());
        for col in order {
            query = query.order_by_asc(*col);
        }
        out.extend(query.all(db).await.map_err(Arc::new)?);
    }
    Ok(out)
}

/// Groups rows by the id in `column`.
fn group<M: ModelTrait>(
    rows: Vec<M>,
    column: <M::Entity as EntityTrait>::Column,
) -> HashMap<Uuid, Vec<Arc<M>>> {
    let mut map: HashMap<Uuid, Vec<Arc<M>>> = HashMap::new();
    for row in rows {
        if let Some(id) = uuid_of(row.get(column)) {
            map.entry(id).or_default().push(Arc::new(row));
        }
    }
    map
}

/// Defines a key type that loads rows of a table by their id.
macro_rules! by_id {
    ($(#[$doc:meta])* $key:ident, $module:ident) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub Uuid);

        impl Loader<$key> for DbLoader {
            type Value = Arc<$module::Model>;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
                let rows = rows_where_in::<$module::Entity>(
                    &self.db,
                    $module::Column::Id,
                    &ids,
                    Condition::all(),
                    &[],
                )
                .await?;
                Ok(rows.into_iter().map(|row| ($key(row.id), Arc::new(row))).collect())
            }
        }
    };
}

/// Defines a key type that loads the rows of a table whose `column` is the key's id.
macro_rules! children {
    ($(#[$doc:meta])* $key:ident, $module:ident, $column:ident, [$($order:ident),*] $(, where $extra:expr)?) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub Uuid);

        impl Loader<$key> for DbLoader {
            type Value = Vec<Arc<$module::Model>>;
            type Error = LoadError;

            async fn load(&self, keys: &[$key]) -> Result<HashMap<$key, Self::Value>, Self::Error> {
                let ids: Vec<Uuid> = keys.iter().map(|k| k.0).collect();
                #[allow(unused_mut)]
                let mut extra = Condition::all();
                $(extra = extra.add($extra);)?
                let rows = rows_where_in::<$module::Entity>(
                    &self.db,
                    $module::Column::$column,
                    &ids,
                    extra,
                    &[$($module::Column::$order),*],
                )
                .await?;
                let mut grouped = group(rows, $module::Column::$column);
                Ok(keys
                    .iter()
                    .map(|k| (*k, grouped.remove(&k.0).unwrap_or_default()))
                    .collect())
            }
        }
    };
}

/// Defines a relation key whose children are read a page at a time (see `children.rs`).
macro_rules! paged {
    ($(#[$doc:meta])* $key:ident, $module:ident, $column:ident, [$($order:ident),*] $(, where $extra:expr)?) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub Uuid);

        impl Children for $key {
            type Entity = $module::Entity;
            fn parent(&self) -> Uuid {
                self.0
            }
            fn with_parent(&self, parent: Uuid) -> Self {
                $key(parent)
            }
            fn parent_column() -> $module::Column {
                $module::Column::$column
            }
            fn order() -> Vec<$module::Column> {
                vec![$($module::Column::$order),*]
            }
            $(fn condition(&self) -> Condition {
                Condition::all().add($extra)
            })?
        }
    };
}

/// Defines a relation key over a table with a validity period whose children are read a
/// page at a time: those valid on the key's date, or all of them when it is `None`.
macro_rules! dated_paged {
    ($(#[$doc:meta])* $key:ident, $module:ident, $column:ident, [$($order:ident),*]) => {
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub struct $key(pub Uuid, pub Option<NaiveDate>);

        impl Children for $key {
            type Entity = $module::Entity;
            fn parent(&self) -> Uuid {
                self.0
            }
            fn with_parent(&self, parent: Uuid) -> Self {
                $key(parent, self.1)
            }
            fn parent_column() -> $module::Column {
                $module::Column::$column
            }
            fn order() -> Vec<$module::Column> {
                vec![$($module::Column::$order),*]
            }
            fn condition(&self) -> Condition {
                match self.1 {
                    Some(date) => valid_on($module::Column::ValidFrom, $module::Column::ValidTo, date),
                    None => Condition::all(),
                }
            }
        }
    };
}

by_id!(
    /// An organisation by id.
    OrganisationById, organisation
);
by_id!(
    /// A topic by id.
    TopicById, topic
);
by_id!(
    /// A person by id.
    PersonById, person
);
by_id!(
    /// A network by id.
    NetworkById, network
);
by_id!(
    /// An area by id.
    AreaById, area
);
by_id!(
    /// An agreement by id.
    AgreementById, agreement
);
by_id!(
    /// A goal by id.
    GoalById, goal
);
by_id!(
    /// An action by id.
    ActionById, action
);

fn kind_is_municipality() -> SimpleExpr {
    organisation::Column::Kind.eq(entity::enums::OrganisationKind::Municipality)
}

paged!(
    /// The units of an organisation.
    UnitsOf, organisation, ParentId, [NameFi, Id]
);
paged!(
    /// The municipalities of a county, a page at a time.
    MunicipalitiesOf, organisation, CountyId, [NameFi, Id], where kind_is_municipality()
);
children!(
    /// The municipalities of a county.
    MunicipalitiesOfCounty, organisation, CountyId, [NameFi, Id], where kind_is_municipality()
);
children!(
    /// Topics under a topic.
    TopicChildren, topic, ParentId, [SortOrder, Slug]
);
children!(
    /// Municipalities a representative serves (join rows).
    ServedBy, representative_municipality, RepresentativeId, []
);
children!(
    /// Areas a municipality belongs to (join rows).
    AreasOfMunicipality, area_municipality, MunicipalityId, []
);
children!(
    /// Municipalities of an area (join rows).
    MunicipalitiesOfArea, area_municipality, AreaId, []
);
children!(
    /// Topics of a network (join rows).
    TopicsOfNetwork, network_topic, NetworkId, []
);
paged!(
    /// Networks under a network.
    SubNetworks, network, ParentId, [NameFi, Id]
);
paged!(
    /// Meetings of a network, earliest first.
    MeetingsOfNetwork, meeting, NetworkId, [StartsAt, Id]
);
children!(
    /// Parties of an agreement (join rows).
    PartiesOf, agreement_party, AgreementId, []
);
children!(
    /// Goals of an agreement.
    GoalsOf, goal, AgreementId, [SortOrder, Id]
);
children!(
    /// Actions under a goal.
    ActionsOfGoal, action, GoalId, [SortOrder, Id]
);
children!(
    /// Organisations responsible for an action (join rows).
    ResponsibleFor, action_organisation, ActionId, []
);
children!(
    /// Metrics of an action.
    MetricsOf, metric, ActionId, [SortOrder, Id]
);
paged!(
    /// Progress reports of an action, oldest first.
    ProgressOf, progress_report, ActionId, [ReportedOn, Id]
);
dated_paged!(
    /// Representatives an organisation has named.
    RepresentativesOfOrganisation, representative, OrganisationId, [Level, Id]
);
dated_paged!(
    /// Representative roles of a person.
    RepresentativesOfPerson, representative, PersonId, [Level, Id]
);
dated_paged!(
    /// Network seats of an organisation.
    MembershipsOfOrganisation, membership, OrganisationId, [NetworkId, Id]
);
dated_paged!(
    /// Network seats of a person.
    MembershipsOfPerson, membership, PersonId, [NetworkId, Id]
);
dated_paged!(
    /// Seats of a network.
    MembershipsOfNetwork, membership, NetworkId, [Role, Id]
);
