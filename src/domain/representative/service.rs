//! Listing and writing representatives. Every write runs in one transaction: the caller
//! must be allowed to write for the naming organisation (its owner chain), the row is
//! locked at the version the client read, and the audit entry joins the same transaction.

use std::collections::HashSet;

use crate::domain::reference::service::{topic_by_slug, topic_subtree};
use entity::enums::OrganisationKind;
use entity::{organisation, representative, representative_municipality};
use sea_orm::sea_query::Query as SqlQuery;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection,
    DatabaseTransaction, EntityTrait, IntoActiveModel, PaginatorTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use uuid::Uuid;

use super::{
    Change, EndRepresentative, NewRepresentative, RepresentativeFilter, RepresentativePatch, Served,
};
use crate::auth::guard::enforce;
use crate::auth::owners::owner;
use crate::auth::policy::{self, Principal};
use crate::db::audit::Operation;
use crate::db::loaders::valid_on;
use crate::db::tx;
use crate::domain::network::Target;
use crate::domain::person::service::nameable;
use crate::domain::review;
use crate::domain::search::{Kind, text_condition};
use crate::domain::validity;
use crate::domain::values::date_range;
use crate::error::{ApiResult, bad_input};

/// One page of representatives matching `filter`, ordered by organisation, level and id,
/// with the total.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &RepresentativeFilter,
    offset: u64,
    limit: u64,
) -> ApiResult<(Vec<representative::Model>, u64)> {
    let query = representative::Entity::find()
        .filter(condition(db, filter).await?)
        .order_by_asc(representative::Column::OrganisationId)
        .order_by_asc(representative::Column::Level)
        .order_by_asc(representative::Column::Id);
    let total = query.clone().count(db).await?;
    let rows = if limit == 0 || offset >= total {
        Vec::new()
    } else {
        query.offset(offset).limit(limit).all(db).await?
    };
    Ok((rows, total))
}

/// The filter as one condition; an unknown topic or municipality is `BAD_USER_INPUT`.
async fn condition<C: ConnectionTrait>(
    db: &C,
    filter: &RepresentativeFilter,
) -> ApiResult<Condition> {
    let mut cond = Condition::all();
    if let Some(org) = filter.organisation_id {
        cond = cond.add(representative::Column::OrganisationId.eq(org));
    }
    if let Some(slug) = &filter.topic {
        let ids = topic_subtree(db, "filter.topic", slug.as_str()).await?;
        cond = cond.add(representative::Column::TopicId.is_in(ids));
    }
    if let Some(level) = filter.level {
        cond = cond.add(representative::Column::Level.eq(level));
    }
    if let Some(serving) = &filter.serving {
        cond = cond.add(serving_condition(&municipality(db, serving).await?));
    }
    if let Some(date) = filter.valid_on {
        cond = cond.add(valid_on(
            representative::Column::ValidFrom,
            representative::Column::ValidTo,
            date,
        ));
    }
    if let Some(text) = &filter.text {
        cond = cond
            .add(text_condition(db, Kind::Person, representative::Column::PersonId, text).await?);
    }
    if let Some(staleness) = filter.stale {
        cond = cond.add(staleness.condition(representative::Column::ReviewedAt));
    }
    Ok(cond)
}

/// The municipality a filter names.
async fn municipality<C: ConnectionTrait>(
    db: &C,
    serving: &Served,
) -> ApiResult<organisation::Model> {
    match serving {
        Served::Id(id) => organisation::Entity::find_by_id(*id)
            .one(db)
            .await?
            .ok_or_else(|| bad_input("filter.municipalityId", "no such municipality")),
        Served::Code(code) => organisation::Entity::find()
            .filter(organisation::Column::MunicipalityCode.eq(code.as_str()))
            .one(db)
            .await?
            .ok_or_else(|| bad_input("filter.municipalityCode", "no municipality with this code")),
    }
}

/// Representatives serving municipality `m`: its own (or its units'), those listing it,
/// and county-side ones (the county, its units, its regional council) listing none.
fn serving_condition(m: &organisation::Model) -> Condition {
    let listed = SqlQuery::select()
        .column(representative_municipality::Column::RepresentativeId)
        .from(representative_municipality::Entity)
        .and_where(representative_municipality::Column::MunicipalityId.eq(m.id))
        .to_owned();
    let with_list = SqlQuery::select()
        .column(representative_municipality::Column::RepresentativeId)
        .from(representative_municipality::Entity)
        .to_owned();
    let own_units = SqlQuery::select()
        .column(organisation::Column::Id)
        .from(organisation::Entity)
        .and_where(organisation::Column::ParentId.eq(m.id))
        .to_owned();
    let mut cond = Condition::any()
        .add(representative::Column::OrganisationId.eq(m.id))
        .add(representative::Column::OrganisationId.in_subquery(own_units))
        .add(representative::Column::Id.in_subquery(listed));
    if let Some(county) = m.county_id.filter(|c| *c != m.id) {
        let county_side = SqlQuery::select()
            .column(organisation::Column::Id)
            .from(organisation::Entity)
            .cond_where(
                Condition::any()
                    .add(organisation::Column::ParentId.eq(county))
                    .add(
                        Condition::all()
                            .add(organisation::Column::CountyId.eq(county))
                            .add(organisation::Column::Kind.eq(OrganisationKind::RegionalCouncil)),
                    ),
            )
            .to_owned();
        cond = cond.add(
            Condition::all()
                .add(
                    Condition::any()
                        .add(representative::Column::OrganisationId.eq(county))
                        .add(representative::Column::OrganisationId.in_subquery(county_side)),
                )
                .add(representative::Column::Id.not_in_subquery(with_list)),
        );
    }
    cond
}

/// Names a representative. The organisation must exist and the caller be allowed to write
/// for it; the person and the deputy must be persons the caller may name
/// ([`nameable`]: of an organisation it writes for); the topic must exist and every served
/// municipality be a municipality. The row, its served municipalities and its audit entry are written
/// in one transaction.
pub async fn create(
    db: &DatabaseConnection,
    who: &Principal,
    new: NewRepresentative,
) -> ApiResult<representative::Model> {
    let tx = tx::begin(db).await?;
    let org = new.organisation_id;
    tx::must_exist::<organisation::Entity, _>(&tx, "input.organisationId", org, "organisation")
        .await?;
    may_write(&tx, who, org, "representatives of that organisation").await?;
    nameable(&tx, who, "input.personId", new.person_id).await?;
    if let Some(deputy) = new.deputy_id {
        nameable(&tx, who, "input.deputyId", deputy).await?;
    }
    let topic = topic_by_slug(&tx, "input.topic", new.topic.as_str()).await?;
    check_municipalities(&tx, "input.servedMunicipalityIds", &new.served).await?;
    let row = representative::Model {
        id: Uuid::new_v4(),
        person_id: new.person_id,
        organisation_id: org,
        topic_id: topic.id,
        level: new.level,
        role: new.role,
        deputy_id: new.deputy_id,
        valid_from: new.valid_from,
        valid_to: new.valid_to,
        created_at: Default::default(),
        updated_at: Default::default(),
        version: 0,
        reviewed_at: None,
        reviewed_by: None,
    };
    let created = insert(&tx, who, row, &new.served).await?;
    tx::commit(tx).await?;
    Ok(created)
}

/// Inserts a checked representative with its served municipalities and audits it; the
/// caller commits. The one insert of a representative, for [`create`] and the CSV import.
pub(super) async fn insert(
    tx: &DatabaseTransaction,
    who: &Principal,
    row: representative::Model,
    served: &[Uuid],
) -> ApiResult<representative::Model> {
    let created = tx::insert(tx, who, row).await?;
    link_served(tx, created.id, served).await?;
    Ok(created)
}

/// Changes a representative: absent fields stay. Same checks as [`create`]; the caller
/// must be allowed to write for its organisation; the dates must stay in order.
pub async fn update(
    db: &DatabaseConnection,
    who: &Principal,
    patch: RepresentativePatch,
) -> ApiResult<representative::Model> {
    let (tx, before) =
        tx::lock_for_update::<representative::Model>(db, patch.id, patch.version).await?;
    may_write(&tx, who, before.organisation_id, "this representative").await?;
    let mut after = before.clone();
    if let Some(person) = patch.person_id.filter(|p| *p != before.person_id) {
        nameable(&tx, who, "input.personId", person).await?;
        after.person_id = person;
    }
    if let Change::Set(deputy) = patch.deputy_id
        && before.deputy_id != Some(deputy)
    {
        nameable(&tx, who, "input.deputyId", deputy).await?;
    }
    after.deputy_id = patch.deputy_id.apply(after.deputy_id);
    if let Some(slug) = &patch.topic {
        after.topic_id = topic_by_slug(&tx, "input.topic", slug.as_str()).await?.id;
    }
    after.level = patch.level.unwrap_or(after.level);
    after.role = patch.role.apply(after.role);
    after.valid_from = patch.valid_from.apply(after.valid_from);
    after.valid_to = patch.valid_to.apply(after.valid_to);
    date_range("input.validTo", after.valid_from, after.valid_to)?;
    if let Some(served) = &patch.served {
        check_municipalities(&tx, "input.servedMunicipalityIds", served).await?;
        replace_served(&tx, before.id, served).await?;
    }
    tx::save(tx, who, Operation::Update, &before, after).await
}

/// Ends a representative's term on `valid_to` (default today), not before its first day;
/// the history stays queryable.
pub async fn end(
    db: &DatabaseConnection,
    who: &Principal,
    end: EndRepresentative,
) -> ApiResult<representative::Model> {
    let (tx, before) =
        tx::lock_for_update::<representative::Model>(db, end.id, end.version).await?;
    may_write(&tx, who, before.organisation_id, "this representative").await?;
    validity::end(tx, who, before, end.valid_to).await
}

/// Deletes a representative with its served municipalities (their count is returned) and
/// audits it; prefer [`end`], which keeps the history.
pub async fn delete(
    db: &DatabaseConnection,
    who: &Principal,
    id: Uuid,
    version: i32,
) -> ApiResult<u64> {
    let (tx, before) = tx::lock_for_update::<representative::Model>(db, id, version).await?;
    may_write(&tx, who, before.organisation_id, "this representative").await?;
    let removed = representative_municipality::Entity::delete_many()
        .filter(representative_municipality::Column::RepresentativeId.eq(id))
        .exec(&tx)
        .await?
        .rows_affected;
    tx::remove(&tx, who, &before).await?;
    tx::commit(tx).await?;
    Ok(removed)
}

/// `FORBIDDEN` unless `who` may write for organisation `org`.
pub(super) async fn may_write<C: ConnectionTrait>(
    db: &C,
    who: &Principal,
    org: Uuid,
    what: &str,
) -> ApiResult<()> {
    enforce(policy::may_write(Some(who), &[owner(db, org).await?]), what)
}

/// `BAD_USER_INPUT` naming `field[i]` unless every id is a municipality.
async fn check_municipalities<C: ConnectionTrait>(
    db: &C,
    field: &str,
    ids: &[Uuid],
) -> ApiResult<()> {
    for (i, id) in ids.iter().enumerate() {
        let at = format!("{field}[{i}]");
        let org = tx::must_exist::<organisation::Entity, _>(db, &at, *id, "organisation").await?;
        if org.kind != OrganisationKind::Municipality {
            return Err(bad_input(
                at,
                format!("{} is not a municipality", org.name_fi),
            ));
        }
    }
    Ok(())
}

/// Replaces the municipalities a representative serves.
pub(super) async fn replace_served(
    tx: &DatabaseTransaction,
    id: Uuid,
    served: &[Uuid],
) -> ApiResult<()> {
    representative_municipality::Entity::delete_many()
        .filter(representative_municipality::Column::RepresentativeId.eq(id))
        .exec(tx)
        .await?;
    link_served(tx, id, served).await
}

/// Links a representative to the municipalities it serves, each once.
async fn link_served(tx: &DatabaseTransaction, id: Uuid, served: &[Uuid]) -> ApiResult<()> {
    let mut seen = HashSet::new();
    for m in served.iter().filter(|m| seen.insert(**m)) {
        representative_municipality::Model {
            representative_id: id,
            municipality_id: *m,
        }
        .into_active_model()
        .insert(tx)
        .await?;
    }
    Ok(())
}

/// Confirms that a representative is still as recorded (see [`crate::domain::review`]): the
/// policy and the version check of an update.
pub async fn confirm(
    db: &DatabaseConnection,
    who: &Principal,
    target: Target,
) -> ApiResult<representative::Model> {
    let (tx, before) =
        tx::lock_for_update::<representative::Model>(db, target.id, target.version).await?;
    may_write(&tx, who, before.organisation_id, "this representative").await?;
    review::confirm(tx, who, before).await
}
