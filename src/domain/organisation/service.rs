//! Reading and writing organisations.

use entity::enums::OrganisationKind;
use entity::{
    action_organisation, agreement, agreement_party, area, area_municipality, membership, network,
    organisation, person, representative, representative_municipality,
};
use sea_orm::sea_query::{NullOrdering, Query};
use sea_orm::{
    ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, DatabaseTransaction, EntityTrait,
    Order, PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::cascade::{finish, refuse_current, remove_roles, still_valid};
use super::{
    Deletion, NewOrganisation, OrganisationFilter, OrganisationKey, OrganisationOrder,
    OrganisationPatch, is_reference,
};
use crate::auth::guard::enforce;
use crate::auth::owners::owner;
use crate::auth::policy::{self, Principal};
use crate::db::audit::Operation;
use crate::db::page::{Window, page_of};
use crate::db::tx;
use crate::domain::network::Target;
use crate::domain::review;
use crate::domain::search::{Kind, text_condition};
use crate::error::{ApiResult, bad_input, conflict, forbidden_field};

/// Organisations matching `filter` in `order`, the rows inside `window` and the total.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    filter: &OrganisationFilter,
    order: OrganisationOrder,
    window: Window,
) -> ApiResult<(Vec<organisation::Model>, u64)> {
    let mut query = organisation::Entity::find();
    if let Some(kinds) = &filter.kinds {
        query = query.filter(organisation::Column::Kind.is_in(kinds.iter().copied()));
    }
    if let Some(county) = filter.county_id {
        query = query
            .filter(organisation::Column::CountyId.eq(county))
            .filter(organisation::Column::Id.ne(county));
    }
    if let Some(code) = &filter.municipality_code {
        query = query.filter(organisation::Column::MunicipalityCode.eq(code.as_str()));
    }
    if let Some(parent) = filter.parent_id {
        query = query.filter(organisation::Column::ParentId.eq(parent));
    }
    if let Some(text) = &filter.text {
        query = query
            .filter(text_condition(db, Kind::Organisation, organisation::Column::Id, text).await?);
    }
    if let Some(staleness) = filter.stale {
        query = query.filter(staleness.condition(organisation::Column::ReviewedAt));
    }
    query = match order {
        OrganisationOrder::Name => query.order_by_asc(organisation::Column::NameFi),
        OrganisationOrder::MunicipalityCode => query
            .order_by_with_nulls(
                organisation::Column::MunicipalityCode,
                Order::Asc,
                NullOrdering::Last,
            )
            .order_by_asc(organisation::Column::NameFi),
        OrganisationOrder::Kind => query
            .order_by_asc(organisation::Column::Kind)
            .order_by_asc(organisation::Column::NameFi),
    };
    page_of(db, query.order_by_asc(organisation::Column::Id), window).await
}

/// One organisation by id, business ID or municipality code.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    key: OrganisationKey,
) -> ApiResult<Option<organisation::Model>> {
    let query = match key {
        OrganisationKey::Id(id) => organisation::Entity::find_by_id(id),
        OrganisationKey::BusinessId(bid) => {
            organisation::Entity::find().filter(organisation::Column::BusinessId.eq(bid.trim()))
        }
        OrganisationKey::MunicipalityCode(code) => organisation::Entity::find()
            .filter(organisation::Column::MunicipalityCode.eq(code.as_str())),
    };
    Ok(query.one(db).await?)
}

/// Creates an organisation. Only a municipality has a municipality code, and it must have
/// one; a `county_id` must name a wellbeing services county; codes are unique. An editor
/// creates units under organisations it owns; top-level organisations are the admin's.
pub async fn create(
    db: &DatabaseConnection,
    who: &Principal,
    new: NewOrganisation,
) -> ApiResult<organisation::Model> {
    if (new.kind == OrganisationKind::Municipality) != new.municipality_code.is_some() {
        return Err(bad_input(
            "input.municipalityCode",
            "a municipality needs a municipality code and nothing else has one",
        ));
    }
    let tx = tx::begin(db).await?;
    if let Some(county) = new.county_id {
        let county = tx::must_exist::<organisation::Entity, _>(
            &tx,
            "input.countyId",
            county,
            "organisation",
        )
        .await?;
        if county.kind != OrganisationKind::WellbeingCounty && county.county_code.is_none() {
            return Err(bad_input(
                "input.countyId",
                "countyId must be a wellbeing services county",
            ));
        }
    }
    match new.parent_id {
        Some(parent) => {
            tx::must_exist::<organisation::Entity, _>(
                &tx,
                "input.parentId",
                parent,
                "organisation",
            )
            .await?;
            enforce(
                policy::may_write(Some(who), &[owner(&tx, parent).await?]),
                "units of that organisation",
            )?;
        }
        None => enforce(policy::admin_only(Some(who)), "top-level organisations")?,
    }
    let row = new.into_model();
    check_unique_codes(
        &tx,
        None,
        row.business_id.as_deref(),
        row.municipality_code.as_deref(),
    )
    .await?;
    let created = tx::insert(&tx, who, row).await?;
    tx::commit(tx).await?;
    Ok(created)
}

impl NewOrganisation {
    /// The row to insert; version, timestamps and search text are set by the insert.
    fn into_model(self) -> organisation::Model {
        let now = chrono::Utc::now();
        organisation::Model {
            id: Uuid::new_v4(),
            kind: self.kind,
            name_fi: self.name_fi,
            name_sv: self.name_sv,
            name_en: self.name_en,
            short_name: self.short_name,
            business_id: self.business_id.map(String::from),
            municipality_code: self.municipality_code.map(String::from),
            county_code: None,
            county_id: self.county_id,
            parent_id: self.parent_id,
            email: self.email.map(String::from),
            phone: self.phone.map(String::from),
            website: self.website.map(String::from),
            address: self.address,
            description: self.description,
            search_text: String::new(),
            created_at: now,
            updated_at: now,
            version: 0,
            reviewed_at: None,
            reviewed_by: None,
            mission: None,
            priorities: None,
        }
    }
}

/// Changes an organisation's own fields; an editor may change the organisations it owns
/// and their units, but not the name of a municipality or a county (national reference
/// data, [`is_reference`]). A business ID stays unique.
pub async fn update(
    db: &DatabaseConnection,
    who: &Principal,
    patch: OrganisationPatch,
) -> ApiResult<organisation::Model> {
    let id = patch.id;
    let (tx, before) = tx::lock_for_update::<organisation::Model>(db, id, patch.version).await?;
    let owner = owner(&tx, id).await?;
    enforce(
        policy::may_write(Some(who), std::slice::from_ref(&owner)),
        "this organisation",
    )?;
    let after = patch.apply(before.clone());
    let renamed = (&after.name_fi, &after.name_sv, &after.name_en)
        != (&before.name_fi, &before.name_sv, &before.name_en);
    let reference = renamed && is_reference(before.kind);
    if policy::may_change_reference(Some(who), &owner, reference) != policy::Decision::Allow {
        return Err(forbidden_field(
            "input.name",
            "municipalities and wellbeing services counties are national reference data: only an admin renames one",
        ));
    }
    check_unique_codes(&tx, Some(id), after.business_id.as_deref(), None).await?;
    tx::save(tx, who, Operation::Update, &before, after).await
}

impl OrganisationPatch {
    /// The row with the given fields changed.
    fn apply(self, mut row: organisation::Model) -> organisation::Model {
        fn set<T>(current: &mut Option<String>, change: Option<Option<T>>)
        where
            T: Into<String>,
        {
            if let Some(value) = change {
                *current = value.map(Into::into);
            }
        }
        if let Some((fi, sv, en)) = self.name {
            row.name_fi = fi;
            row.name_sv = sv;
            row.name_en = en;
        }
        set(&mut row.short_name, self.short_name);
        set(&mut row.business_id, self.business_id);
        set(&mut row.email, self.email);
        set(&mut row.phone, self.phone);
        set(&mut row.website, self.website);
        set(&mut row.address, self.address);
        set(&mut row.description, self.description);
        set(&mut row.mission, self.mission);
        set(&mut row.priorities, self.priorities);
        row
    }
}

/// Deletes an organisation.
///
/// What blocks it: units, member organisations of a county, persons, networks it convenes
/// or that belong to its county, areas and agreements of its county: these are moved or
/// deleted first (`CONFLICT` naming what is left).
///
/// What `cascade` is for: current representatives and seats, the municipality served by
/// representatives, area memberships, agreement parties and action responsibilities. These
/// refuse the delete with `CONFLICT` unless `cascade` is given. Ended representatives and
/// seats are history and always go with the organisation.
///
/// What is audited: every representative and seat removed, and the organisation itself;
/// link rows are counted in the returned number of removed references.
///
/// Who may: whoever may write the organisation, except that municipalities and counties
/// are national reference data ([`is_reference`]) that only an admin deletes, with or
/// without `cascade`.
pub async fn delete(db: &DatabaseConnection, who: &Principal, del: Deletion) -> ApiResult<u64> {
    let (tx, before) = tx::lock_for_update::<organisation::Model>(db, del.id, del.version).await?;
    let owner = owner(&tx, del.id).await?;
    enforce(
        policy::may_write(Some(who), std::slice::from_ref(&owner)),
        "this organisation",
    )?;
    enforce(
        policy::may_change_reference(Some(who), &owner, is_reference(before.kind)),
        "national reference data: only an admin deletes a municipality or a wellbeing services county",
    )?;
    blocking_children(&tx, del.id).await?;
    let links = current_links(&tx, del.id).await?;
    refuse_current(links, del.cascade, |n| {
        format!("{n} current representatives, seats or links refer to the organisation")
    })?;
    let removed = remove_roles(
        &tx,
        who,
        representative::Column::OrganisationId.eq(del.id),
        membership::Column::OrganisationId.eq(del.id),
    )
    .await?
        + remove_links(&tx, del.id).await?;
    finish(tx, who, &before, removed).await
}

/// `CONFLICT` while rows that belong under the organisation still exist.
async fn blocking_children(tx: &DatabaseTransaction, id: Uuid) -> ApiResult<()> {
    let blocking = [
        (
            "units",
            organisation::Entity::find()
                .filter(organisation::Column::ParentId.eq(id))
                .count(tx)
                .await?,
        ),
        (
            "member organisations",
            organisation::Entity::find()
                .filter(organisation::Column::CountyId.eq(id))
                .filter(organisation::Column::Id.ne(id))
                .count(tx)
                .await?,
        ),
        (
            "persons",
            person::Entity::find()
                .filter(person::Column::OrganisationId.eq(id))
                .count(tx)
                .await?,
        ),
        (
            "networks",
            network::Entity::find()
                .filter(
                    Condition::any()
                        .add(network::Column::ConvenerId.eq(id))
                        .add(network::Column::CountyId.eq(id)),
                )
                .count(tx)
                .await?,
        ),
        (
            "areas",
            area::Entity::find()
                .filter(area::Column::CountyId.eq(id))
                .count(tx)
                .await?,
        ),
        (
            "agreements",
            agreement::Entity::find()
                .filter(agreement::Column::CountyId.eq(id))
                .count(tx)
                .await?,
        ),
    ];
    match blocking.into_iter().find(|(_, count)| *count > 0) {
        Some((what, count)) => Err(conflict(format!(
            "the organisation still has {count} {what}; move or delete them first"
        ))),
        None => Ok(()),
    }
}

/// How many current representatives and seats, and links to areas, agreements and
/// actions, refer to the organisation.
async fn current_links(tx: &DatabaseTransaction, id: Uuid) -> ApiResult<u64> {
    let current_representatives = Query::select()
        .column(representative::Column::Id)
        .from(representative::Entity)
        .cond_where(still_valid(representative::Column::ValidTo))
        .to_owned();
    Ok(representative::Entity::find()
        .filter(representative::Column::OrganisationId.eq(id))
        .filter(still_valid(representative::Column::ValidTo))
        .count(tx)
        .await?
        + representative_municipality::Entity::find()
            .filter(representative_municipality::Column::MunicipalityId.eq(id))
            .filter(
                representative_municipality::Column::RepresentativeId
                    .in_subquery(current_representatives),
            )
            .count(tx)
            .await?
        + membership::Entity::find()
            .filter(membership::Column::OrganisationId.eq(id))
            .filter(still_valid(membership::Column::ValidTo))
            .count(tx)
            .await?
        + area_municipality::Entity::find()
            .filter(area_municipality::Column::MunicipalityId.eq(id))
            .count(tx)
            .await?
        + agreement_party::Entity::find()
            .filter(agreement_party::Column::OrganisationId.eq(id))
            .count(tx)
            .await?
        + action_organisation::Entity::find()
            .filter(action_organisation::Column::OrganisationId.eq(id))
            .count(tx)
            .await?)
}

/// Removes the link rows naming the organisation: served municipality, area membership,
/// agreement party, action responsibility.
async fn remove_links(tx: &DatabaseTransaction, id: Uuid) -> ApiResult<u64> {
    Ok(representative_municipality::Entity::delete_many()
        .filter(representative_municipality::Column::MunicipalityId.eq(id))
        .exec(tx)
        .await?
        .rows_affected
        + area_municipality::Entity::delete_many()
            .filter(area_municipality::Column::MunicipalityId.eq(id))
            .exec(tx)
            .await?
            .rows_affected
        + agreement_party::Entity::delete_many()
            .filter(agreement_party::Column::OrganisationId.eq(id))
            .exec(tx)
            .await?
            .rows_affected
        + action_organisation::Entity::delete_many()
            .filter(action_organisation::Column::OrganisationId.eq(id))
            .exec(tx)
            .await?
            .rows_affected)
}

/// `BAD_USER_INPUT` naming `field` unless the business ID and municipality code are free
/// (the organisation `except` aside).
pub async fn check_unique_codes<C: ConnectionTrait>(
    db: &C,
    except: Option<Uuid>,
    business_id: Option<&str>,
    municipality_code: Option<&str>,
) -> ApiResult<()> {
    let taken = |column: organisation::Column, value: &str| {
        let mut q = organisation::Entity::find().filter(column.eq(value));
        if let Some(id) = except {
            q = q.filter(organisation::Column::Id.ne(id));
        }
        q
    };
    if let Some(bid) = business_id
        && taken(organisation::Column::BusinessId, bid)
            .count(db)
            .await?
            > 0
    {
        return Err(bad_input(
            "input.businessId",
            format!("business ID {bid} is already in use"),
        ));
    }
    if let Some(code) = municipality_code
        && taken(organisation::Column::MunicipalityCode, code)
            .count(db)
            .await?
            > 0
    {
        return Err(bad_input(
            "input.municipalityCode",
            format!("municipality code {code} is already in use"),
        ));
    }
    Ok(())
}

/// The ids when every one names a municipality, else `BAD_USER_INPUT` naming `field[i]`.
pub async fn municipalities<C: ConnectionTrait>(
    db: &C,
    field: &str,
    ids: &[Uuid],
) -> ApiResult<Vec<Uuid>> {
    for (i, id) in ids.iter().enumerate() {
        let field = format!("{field}[{i}]");
        let org =
            tx::must_exist::<organisation::Entity, _>(db, &field, *id, "organisation").await?;
        if org.kind != OrganisationKind::Municipality {
            return Err(bad_input(
                field,
                format!("{} is not a municipality", org.name_fi),
            ));
        }
    }
    Ok(ids.to_vec())
}

/// Confirms that an organisation is still as recorded (see [`crate::domain::review`]): the
/// policy and the version check of an update.
pub async fn confirm(
    db: &DatabaseConnection,
    who: &Principal,
    target: Target,
) -> ApiResult<organisation::Model> {
    let (tx, before) =
        tx::lock_for_update::<organisation::Model>(db, target.id, target.version).await?;
    let owner = owner(&tx, target.id).await?;
    enforce(
        policy::may_write(Some(who), std::slice::from_ref(&owner)),
        "this organisation",
    )?;
    review::confirm(tx, who, before).await
}
