//! Reading a county's index, and the two lookups made of it: the counterpart pairs of one
//! municipality and the coverage report of a county.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, NaiveDate, Utc};
use entity::enums::{Level, OrganisationKind};
use entity::{organisation, person, representative, representative_municipality, topic};
use std::sync::Arc;

use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, Iterable, QueryFilter, QueryOrder, QuerySelect,
    QueryTrait,
};
use uuid::Uuid;

use super::cache::IndexCache;
use super::{CountyIndex, Coverage, Entry, MAX_UNIT_DEPTH, Pair, pairs};
use crate::db::loaders::valid_on;
use crate::domain::reference::service::topic_by_slug;
use crate::domain::values::MunicipalityCode;
use crate::error::{ApiResult, bad_input, not_found};

/// Most ids one `IN (…)` list holds.
const CHUNK: usize = 1000;

/// The counterpart lookup: for the municipality with `code`, each interface topic (or the
/// one with slug `topic`, its sub-topics included) × level (or `level`), its own
/// representatives and the county side's representatives serving it, valid on `date`.
/// The county's index comes from `cache` when the data has not changed since it was read.
pub async fn counterparts<C: ConnectionTrait>(
    db: &C,
    cache: &IndexCache,
    code: &MunicipalityCode,
    topic: Option<&str>,
    level: Option<Level>,
    date: NaiveDate,
) -> ApiResult<Vec<Pair>> {
    let (municipality, owner) = cache
        .municipality(code, || municipality_by_code(db, code))
        .await?
        .ok_or_else(|| not_found(format!("no municipality with code {code}")))?;
    let index = cache
        .index(owner, date, || county_index(db, owner, date))
        .await?
        .ok_or_else(|| not_found(format!("no county or municipality with id {owner}")))?;
    let topics = match topic {
        Some(slug) => {
            let found = index.topics.values().find(|t| t.slug == slug).cloned();
            match found {
                Some(topic) => vec![topic],
                None => vec![topic_by_slug(db, "topic", slug).await?],
            }
        }
        None => index.interface_topics(),
    };
    let levels: Vec<Level> = match level {
        Some(level) => vec![level],
        None => Level::iter().collect(),
    };
    Ok(pairs(
        &index,
        std::slice::from_ref(&*municipality),
        &topics,
        &levels,
    ))
}

/// The municipality with `code` and the owner of its county index (its county, or itself
/// for Helsinki and Åland's municipalities).
async fn municipality_by_code<C: ConnectionTrait>(
    db: &C,
    code: &MunicipalityCode,
) -> ApiResult<Option<(Arc<organisation::Model>, Uuid)>> {
    let found = organisation::Entity::find()
        .filter(organisation::Column::MunicipalityCode.eq(code.as_str()))
        .one(db)
        .await?;
    Ok(found.map(|m| {
        let owner = m.county_id.unwrap_or(m.id);
        (Arc::new(m), owner)
    }))
}

/// The agreement's promise checked for a county (or Helsinki): every municipality ×
/// interface topic × level on `date`, with the pairs where a side has named nobody.
/// `NOT_FOUND` for an unknown id; `BAD_USER_INPUT` (`countyId`) for anything but a county.
pub async fn coverage<C: ConnectionTrait>(
    db: &C,
    cache: &IndexCache,
    county: Uuid,
    date: NaiveDate,
    cutoff: DateTime<Utc>,
) -> ApiResult<Coverage> {
    let index = cache
        .index(county, date, || county_index(db, county, date))
        .await?
        .ok_or_else(|| not_found(format!("no county or municipality with id {county}")))?;
    let is_county = index.owner.kind == OrganisationKind::WellbeingCounty
        || index.owner.county_id == Some(index.owner.id);
    if !is_county {
        return Err(bad_input(
            "countyId",
            "countyId must be a wellbeing services county",
        ));
    }
    let levels: Vec<Level> = Level::iter().collect();
    let all = pairs(
        &index,
        &index.municipalities,
        &index.interface_topics(),
        &levels,
    );
    let expected = all.len();
    let (mut gaps, mut stale) = (Vec::new(), Vec::new());
    for pair in all {
        let missing = pair.missing();
        if pair.is_stale(cutoff) {
            if let Some(missing) = missing {
                gaps.push((pair.clone(), missing));
            }
            stale.push(pair);
        } else if let Some(missing) = missing {
            gaps.push((pair, missing));
        }
    }
    Ok(Coverage {
        county: index.owner.clone(),
        date,
        expected,
        gaps,
        stale,
    })
}

/// Reads the index of a county (or Helsinki, or an Åland municipality) valid on `date`:
/// its municipalities, the county side (the county, the regional council working with it,
/// and their units), every topic, and the representatives of all of them with the
/// municipalities they list. `None` when `owner_id` is none of these.
///
/// Two rounds of statements run side by side: the organisations and topics, then the
/// representatives and the municipalities they list.
pub async fn county_index<C: ConnectionTrait>(
    db: &C,
    owner_id: Uuid,
    date: NaiveDate,
) -> ApiResult<Option<CountyIndex>> {
    let in_county = |kind: OrganisationKind| {
        organisation::Entity::find()
            .filter(organisation::Column::CountyId.eq(owner_id))
            .filter(organisation::Column::Kind.eq(kind))
            .order_by_asc(organisation::Column::MunicipalityCode)
            .order_by_asc(organisation::Column::Id)
            .all(db)
    };
    let units = organisation::Entity::find()
        .select_only()
        .column(organisation::Column::Id)
        .column(organisation::Column::ParentId)
        .filter(organisation::Column::ParentId.is_not_null())
        .into_tuple::<(Uuid, Option<Uuid>)>()
        .all(db);
    let (owner, municipalities, councils, units, topics) = futures_util::try_join!(
        organisation::Entity::find_by_id(owner_id).one(db),
        in_county(OrganisationKind::Municipality),
        in_county(OrganisationKind::RegionalCouncil),
        units,
        topic::Entity::find().all(db),
    )?;
    let Some(owner) = owner else {
        return Ok(None);
    };
    let (municipalities, county_side) = match owner.kind {
        OrganisationKind::WellbeingCounty => {
            let mut side: HashSet<Uuid> = councils.iter().map(|c| c.id).collect();
            side.insert(owner.id);
            (municipalities, side)
        }
        OrganisationKind::Municipality if owner.county_id == Some(owner.id) => {
            (vec![owner.clone()], HashSet::from([owner.id]))
        }
        OrganisationKind::Municipality => (vec![owner.clone()], HashSet::new()),
        _ => return Ok(None),
    };
    let roots = municipalities
        .iter()
        .map(|m| m.id)
        .chain(county_side.iter().copied());
    let root_of = with_units(roots, &units);
    let topics: HashMap<Uuid, topic::Model> = topics.into_iter().map(|t| (t.id, t)).collect();
    let org_ids: Vec<Uuid> = root_of.keys().copied().collect();
    let (reps, served, person_reviews) = futures_util::try_join!(
        valid_representatives(db, &org_ids, date),
        listed_municipalities(db, &org_ids, date),
        person_reviews(db, &org_ids, date),
    )?;
    let municipality_ids: HashSet<Uuid> = municipalities.iter().map(|m| m.id).collect();
    let mut index = CountyIndex {
        owner,
        municipalities,
        topics,
        entries: Vec::new(),
        person_reviews,
        slots: HashMap::new(),
    };
    index.entries = entries(
        &index,
        reps,
        served,
        &root_of,
        &municipality_ids,
        &county_side,
    );
    index.index_slots();
    Ok(Some(index))
}

/// Every organisation whose representatives count, mapped to the root it speaks for: the
/// roots themselves and their units (`units` holds every unit's id and parent) down to
/// [`MAX_UNIT_DEPTH`] levels.
fn with_units(
    roots: impl Iterator<Item = Uuid>,
    units: &[(Uuid, Option<Uuid>)],
) -> HashMap<Uuid, Uuid> {
    let mut children: HashMap<Uuid, Vec<Uuid>> = HashMap::new();
    for (id, parent) in units {
        if let Some(parent) = parent {
            children.entry(*parent).or_default().push(*id);
        }
    }
    let mut root_of: HashMap<Uuid, Uuid> = roots.map(|id| (id, id)).collect();
    let mut frontier: Vec<Uuid> = root_of.keys().copied().collect();
    for _ in 0..MAX_UNIT_DEPTH {
        let mut next = Vec::new();
        for parent in frontier {
            let root = root_of[&parent];
            for unit in children.get(&parent).into_iter().flatten() {
                if !root_of.contains_key(unit) {
                    root_of.insert(*unit, root);
                    next.push(*unit);
                }
            }
        }
        if next.is_empty() {
            break;
        }
        frontier = next;
    }
    root_of
}

/// The representatives of `orgs` valid on `date`: the filter of every read of a county.
fn valid_of(orgs: &[Uuid], date: NaiveDate) -> sea_orm::Select<representative::Entity> {
    representative::Entity::find()
        .filter(representative::Column::OrganisationId.is_in(orgs.iter().copied()))
        .filter(valid_on(
            representative::Column::ValidFrom,
            representative::Column::ValidTo,
            date,
        ))
}

/// The representatives of `orgs` valid on `date`, by id.
async fn valid_representatives<C: ConnectionTrait>(
    db: &C,
    orgs: &[Uuid],
    date: NaiveDate,
) -> ApiResult<Vec<representative::Model>> {
    let mut reps = Vec::new();
    for chunk in orgs.chunks(CHUNK) {
        reps.extend(
            valid_of(chunk, date)
                .order_by_asc(representative::Column::Id)
                .all(db)
                .await?,
        );
    }
    Ok(reps)
}

/// The municipalities each representative of `orgs` valid on `date` lists (none listed:
/// no entry), read beside the representatives with the same filter as a subquery.
async fn listed_municipalities<C: ConnectionTrait>(
    db: &C,
    orgs: &[Uuid],
    date: NaiveDate,
) -> ApiResult<HashMap<Uuid, HashSet<Uuid>>> {
    let mut served: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
    for chunk in orgs.chunks(CHUNK) {
        let reps = valid_of(chunk, date)
            .select_only()
            .column(representative::Column::Id)
            .into_query();
        for link in representative_municipality::Entity::find()
            .filter(representative_municipality::Column::RepresentativeId.in_subquery(reps))
            .all(db)
            .await?
        {
            served
                .entry(link.representative_id)
                .or_default()
                .insert(link.municipality_id);
        }
    }
    Ok(served)
}

/// When the person of each representative of `orgs` valid on `date` was last confirmed,
/// read beside the representatives with the same filter as a subquery.
async fn person_reviews<C: ConnectionTrait>(
    db: &C,
    orgs: &[Uuid],
    date: NaiveDate,
) -> ApiResult<HashMap<Uuid, Option<DateTime<Utc>>>> {
    let mut reviews = HashMap::new();
    for chunk in orgs.chunks(CHUNK) {
        let persons = valid_of(chunk, date)
            .select_only()
            .column(representative::Column::PersonId)
            .into_query();
        let rows: Vec<(Uuid, Option<DateTime<Utc>>)> = person::Entity::find()
            .select_only()
            .column(person::Column::Id)
            .column(person::Column::ReviewedAt)
            .filter(person::Column::Id.in_subquery(persons))
            .into_tuple()
            .all(db)
            .await?;
        reviews.extend(rows);
    }
    Ok(reviews)
}

/// Places each representative on its side: a municipality's (or its unit's) is that
/// municipality's own; a county-side one serves the municipalities it lists, or all of
/// them when it lists none. Its topic counts for the top-level topic above it.
fn entries(
    index: &CountyIndex,
    reps: Vec<representative::Model>,
    mut served: HashMap<Uuid, HashSet<Uuid>>,
    root_of: &HashMap<Uuid, Uuid>,
    municipality_ids: &HashSet<Uuid>,
    county_side: &HashSet<Uuid>,
) -> Vec<Entry> {
    reps.into_iter()
        .filter_map(|rep| {
            let root = *root_of.get(&rep.organisation_id)?;
            let municipality = municipality_ids.contains(&root).then_some(root);
            let county = county_side.contains(&root);
            let serves = match served.remove(&rep.id) {
                Some(listed) => listed,
                None if county => municipality_ids.clone(),
                None => HashSet::new(),
            };
            Some(Entry {
                root_topic: index.root_topic(rep.topic_id),
                rep,
                municipality,
                county_side: county,
                serves,
            })
        })
        .collect()
}

#[cfg(test)]
pub(crate) mod tests;
