//! Networks: listing, reading, and writing them with their topics.

use entity::{
    area, area_municipality, meeting, membership, network, network_topic, organisation, person,
};
use sea_orm::sea_query::Query;
use sea_orm::{
    ColumnTrait, Condition, DatabaseConnection, DatabaseTransaction, EntityTrait, IntoActiveModel,
    PaginatorTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

use super::Target;
use super::{Member, NetworkFilter, NetworkPatch, NewNetwork, Removal, Removed, apply};
use crate::auth::guard::enforce;
use crate::auth::owners::{network_owners, owner};
use crate::auth::policy::{self, Principal};
use crate::db::loaders::valid_on;
use crate::db::page::{Window, page_of};
use crate::db::tx;
use crate::domain::reference::service::{topic_id, topic_subtree};
use crate::domain::review;
use crate::domain::search::{Kind, text_condition};
use crate::domain::values as input;
use crate::error::{ApiResult, bad_input, conflict};

/// The organisation a [`Member`] names.
async fn member_id(db: &DatabaseConnection, member: &Member) -> ApiResult<Uuid> {
    match member {
        Member::Organisation(id) => Ok(*id),
        Member::MunicipalityCode(code) => Ok(organisation::Entity::find()
            .filter(organisation::Column::MunicipalityCode.eq(code.as_str()))
            .one(db)
            .await?
            .ok_or_else(|| bad_input("filter.municipalityCode", "no municipality with this code"))?
            .id),
    }
}

/// Networks where `member` holds a seat valid on `date` (any seat without a date), or whose
/// area the member belongs to.
fn with_member(member: Uuid, date: Option<chrono::NaiveDate>) -> Condition {
    let mut seats = Query::select();
    seats
        .column(membership::Column::NetworkId)
        .from(membership::Entity)
        .and_where(membership::Column::OrganisationId.eq(member));
    if let Some(date) = date {
        seats.cond_where(valid_on(
            membership::Column::ValidFrom,
            membership::Column::ValidTo,
            date,
        ));
    }
    let areas = Query::select()
        .column(area_municipality::Column::AreaId)
        .from(area_municipality::Entity)
        .and_where(area_municipality::Column::MunicipalityId.eq(member))
        .to_owned();
    Condition::any()
        .add(network::Column::Id.in_subquery(seats.to_owned()))
        .add(network::Column::AreaId.in_subquery(areas))
}

/// Networks matching `filter`, ordered by Finnish name and id, and how many match.
pub async fn list(
    db: &DatabaseConnection,
    filter: NetworkFilter,
    window: Window,
) -> ApiResult<(Vec<network::Model>, u64)> {
    let mut cond = Condition::all();
    if let Some(kinds) = filter.kinds {
        cond = cond.add(network::Column::Kind.is_in(kinds));
    }
    if let Some(county) = filter.county_id {
        cond = cond.add(network::Column::CountyId.eq(county));
    }
    if let Some(slug) = &filter.topic {
        let topics = Query::select()
            .column(network_topic::Column::NetworkId)
            .from(network_topic::Entity)
            .and_where(
                network_topic::Column::TopicId
                    .is_in(topic_subtree(db, "filter.topic", slug).await?),
            )
            .to_owned();
        cond = cond.add(network::Column::Id.in_subquery(topics));
    }
    if let Some(level) = filter.level {
        cond = cond.add(network::Column::Level.eq(level));
    }
    if let Some(convener) = filter.convener_id {
        cond = cond.add(network::Column::ConvenerId.eq(convener));
    }
    if let Some(member) = &filter.member {
        cond = cond.add(with_member(member_id(db, member).await?, filter.active_on));
    }
    if let Some(parent) = filter.parent_id {
        cond = cond.add(network::Column::ParentId.eq(parent));
    }
    if filter.top_level_only {
        cond = cond.add(network::Column::ParentId.is_null());
    }
    if let Some(date) = filter.active_on {
        cond = cond.add(valid_on(
            network::Column::ValidFrom,
            network::Column::ValidTo,
            date,
        ));
    }
    if let Some(text) = &filter.text {
        cond = cond.add(text_condition(db, Kind::Network, network::Column::Id, text).await?);
    }
    if let Some(staleness) = filter.stale {
        cond = cond.add(staleness.condition(network::Column::ReviewedAt));
    }
    let query = network::Entity::find()
        .filter(cond)
        .order_by_asc(network::Column::NameFi)
        .order_by_asc(network::Column::Id);
    page_of(db, query, window).await
}

/// One network by id.
pub async fn get(db: &DatabaseConnection, id: Uuid) -> ApiResult<Option<network::Model>> {
    Ok(network::Entity::find_by_id(id).one(db).await?)
}

/// Replaces a network's topics with the topics of `slugs` (each named in an error as
/// `input.topics[i]`).
async fn set_topics(tx: &DatabaseTransaction, network: Uuid, slugs: &[String]) -> ApiResult<()> {
    let mut ids = Vec::new();
    for (i, slug) in slugs.iter().enumerate() {
        let id = topic_id(tx, &format!("input.topics[{i}]"), slug).await?;
        if !ids.contains(&id) {
            ids.push(id);
        }
    }
    let links: Vec<_> = ids
        .into_iter()
        .map(|topic_id| {
            network_topic::Model {
                network_id: network,
                topic_id,
            }
            .into_active_model()
        })
        .collect();
    tx::replace_links(tx, network_topic::Column::NetworkId, network, links).await
}

/// The network with `id` (`BAD_USER_INPUT` naming `field` when missing), once the policy
/// lets the caller write it: the check before every write to a seat or meeting.
pub(super) async fn network_for_write(
    tx: &DatabaseTransaction,
    who: &Principal,
    field: &str,
    id: Uuid,
) -> ApiResult<network::Model> {
    let network = tx::must_exist::<network::Entity, _>(tx, field, id, "network").await?;
    enforce(
        policy::may_write(Some(who), &network_owners(tx, &network).await?),
        "that network",
    )?;
    Ok(network)
}

/// `BAD_USER_INPUT` unless a meeting count is a day count of a year.
fn meetings_per_year(value: Option<i32>) -> ApiResult<Option<i32>> {
    match value {
        Some(n) if !(0..=366).contains(&n) => Err(bad_input(
            "input.meetingsPerYear",
            "meetingsPerYear must be between 0 and 366",
        )),
        other => Ok(other),
    }
}

/// Checks that the organisations, person, parent and area a network points at exist.
async fn check_references(tx: &DatabaseTransaction, new: &NewNetwork) -> ApiResult<()> {
    if let Some(c) = new.county_id {
        tx::must_exist::<organisation::Entity, _>(tx, "input.countyId", c, "organisation").await?;
    }
    if let Some(p) = new.responsible_person_id {
        tx::must_exist::<person::Entity, _>(tx, "input.responsiblePersonId", p, "person").await?;
    }
    if let Some(p) = new.parent_id {
        tx::must_exist::<network::Entity, _>(tx, "input.parentId", p, "network").await?;
    }
    if let Some(a) = new.area_id {
        tx::must_exist::<area::Entity, _>(tx, "input.areaId", a, "area").await?;
    }
    Ok(())
}

/// Who may convene: an editor of the convener; only the admin may leave a network without.
async fn may_convene(
    tx: &DatabaseTransaction,
    who: &Principal,
    convener: Option<Uuid>,
) -> ApiResult<()> {
    match convener {
        Some(c) => {
            tx::must_exist::<organisation::Entity, _>(tx, "input.convenerId", c, "organisation")
                .await?;
            enforce(
                policy::may_write(Some(who), &[owner(tx, c).await?]),
                "networks of that convener",
            )
        }
        None => enforce(policy::admin_only(Some(who)), "networks without a convener"),
    }
}

/// Creates a network convened by an organisation the caller may write (only the admin may
/// create one without a convener), with its topics; audited.
pub async fn create(
    db: &DatabaseConnection,
    who: &Principal,
    new: NewNetwork,
) -> ApiResult<network::Model> {
    input::date_range("input.validTo", new.valid_from, new.valid_to)?;
    let meetings_per_year = meetings_per_year(new.meetings_per_year)?;
    let tx = tx::begin(db).await?;
    may_convene(&tx, who, new.convener_id).await?;
    check_references(&tx, &new).await?;
    let row = network::Model {
        id: Uuid::new_v4(),
        kind: new.kind,
        name_fi: new.name.fi,
        name_sv: new.name.sv,
        name_en: new.name.en,
        description: new.description,
        level: new.level,
        county_id: new.county_id,
        convener_id: new.convener_id,
        convener_note: new.convener_note,
        responsible_person_id: new.responsible_person_id,
        responsible_role: new.responsible_role,
        parent_id: new.parent_id,
        area_id: new.area_id,
        cadence: new.cadence,
        meetings_per_year,
        legal_basis: new.legal_basis,
        valid_from: new.valid_from,
        valid_to: new.valid_to,
        search_text: String::new(),
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
        version: 1,
        reviewed_at: None,
        reviewed_by: None,
    };
    let created = tx::insert(&tx, who, row).await?;
    set_topics(&tx, created.id, &new.topics).await?;
    tx::commit(tx).await?;
    Ok(created)
}

/// Changes a network. The caller must be able to write the network, and a new convener too;
/// only the admin may leave a network without a convener.
pub async fn update(
    db: &DatabaseConnection,
    who: &Principal,
    patch: NetworkPatch,
) -> ApiResult<network::Model> {
    let tx = tx::begin(db).await?;
    let before: network::Model = tx::lock(&tx, patch.id).await?;
    let mut owners = network_owners(&tx, &before).await?;
    if let Some(Some(c)) = patch.convener_id {
        tx::must_exist::<organisation::Entity, _>(&tx, "input.convenerId", c, "organisation")
            .await?;
        owners.push(owner(&tx, c).await?);
    }
    enforce(policy::may_write_all(Some(who), &owners), "this network")?;
    tx::check_version(&before, patch.version)?;
    if let Some(Some(p)) = patch.responsible_person_id {
        tx::must_exist::<person::Entity, _>(&tx, "input.responsiblePersonId", p, "person").await?;
    }
    let after = patched(before.clone(), &patch)?;
    if after.convener_id.is_none() {
        enforce(policy::admin_only(Some(who)), "networks without a convener")?;
    }
    if let Some(topics) = &patch.topics {
        set_topics(&tx, patch.id, topics).await?;
    }
    tx::save(tx, who, crate::db::audit::Operation::Update, &before, after).await
}

/// The network with the patch applied, its meeting count and dates checked.
fn patched(mut row: network::Model, patch: &NetworkPatch) -> ApiResult<network::Model> {
    let patch = patch.clone();
    if let Some(kind) = patch.kind {
        row.kind = kind;
    }
    if let Some(name) = patch.name {
        row.name_fi = name.fi;
        row.name_sv = name.sv;
        row.name_en = name.en;
    }
    row.description = apply(row.description, patch.description);
    row.level = apply(row.level, patch.level);
    row.convener_id = apply(row.convener_id, patch.convener_id);
    row.convener_note = apply(row.convener_note, patch.convener_note);
    row.responsible_person_id = apply(row.responsible_person_id, patch.responsible_person_id);
    row.responsible_role = apply(row.responsible_role, patch.responsible_role);
    row.cadence = apply(row.cadence, patch.cadence);
    row.meetings_per_year =
        meetings_per_year(apply(row.meetings_per_year, patch.meetings_per_year))?;
    row.legal_basis = apply(row.legal_basis, patch.legal_basis);
    row.valid_from = apply(row.valid_from, patch.valid_from);
    row.valid_to = apply(row.valid_to, patch.valid_to);
    input::date_range("input.validTo", row.valid_from, row.valid_to)?;
    Ok(row)
}

/// Deletes a network.
///
/// Refused (`CONFLICT`) while networks work under it. Its seats and meetings block the
/// delete unless `cascade` is set; with it they are removed first, each with its own audit
/// entry, and counted in [`Removed::references`]. The topic links go with the network, whose
/// delete is audited last.
pub async fn delete(
    db: &DatabaseConnection,
    who: &Principal,
    removal: Removal,
) -> ApiResult<Removed> {
    let id = removal.target.id;
    let tx = tx::begin(db).await?;
    let before: network::Model = tx::lock(&tx, id).await?;
    enforce(
        policy::may_write(Some(who), &network_owners(&tx, &before).await?),
        "this network",
    )?;
    tx::check_version(&before, removal.target.version)?;
    let subs = network::Entity::find()
        .filter(network::Column::ParentId.eq(id))
        .count(&tx)
        .await?;
    if subs > 0 {
        return Err(conflict(format!(
            "the network has {subs} sub-networks; move or delete them first"
        )));
    }
    let seats = membership::Entity::find()
        .filter(membership::Column::NetworkId.eq(id))
        .all(&tx)
        .await?;
    let meetings = meeting::Entity::find()
        .filter(meeting::Column::NetworkId.eq(id))
        .all(&tx)
        .await?;
    let references = (seats.len() + meetings.len()) as u64;
    if references > 0 && !removal.cascade {
        return Err(conflict(format!(
            "the network has {} seats and {} meetings; delete with cascade: true to remove them too",
            seats.len(),
            meetings.len()
        )));
    }
    for seat in &seats {
        tx::remove(&tx, who, seat).await?;
    }
    for meeting in &meetings {
        tx::remove(&tx, who, meeting).await?;
    }
    network_topic::Entity::delete_many()
        .filter(network_topic::Column::NetworkId.eq(id))
        .exec(&tx)
        .await?;
    tx::remove(&tx, who, &before).await?;
    tx::commit(tx).await?;
    Ok(Removed { id, references })
}

/// Confirms that a network is still as recorded (see [`crate::domain::review`]): the
/// policy and the version check of an update (a network without a convener: admins only).
pub async fn confirm(
    db: &DatabaseConnection,
    who: &Principal,
    target: Target,
) -> ApiResult<network::Model> {
    let tx = tx::begin(db).await?;
    let before: network::Model = tx::lock(&tx, target.id).await?;
    let owners = network_owners(&tx, &before).await?;
    enforce(policy::may_write_all(Some(who), &owners), "this network")?;
    tx::check_version(&before, target.version)?;
    review::confirm(tx, who, before).await
}
