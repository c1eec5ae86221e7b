//! Reading a county's index, and the two lookups made of it: the counterpart pairs of one
//! municipality and the coverage report of a county.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entity::enums::{Level, OrganisationKind};
use entity::{organisation, representative, representative_municipality, topic};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, Iterable, QueryFilter, QueryOrder};
use uuid::Uuid;

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
pub async fn counterparts<C: ConnectionTrait>(
    db: &C,
    code: &MunicipalityCode,
    topic: Option<&str>,
    level: Option<Level>,
    date: NaiveDate,
) -> ApiResult<Vec<Pair>> {
    let municipality = organisation::Entity::find()
        .filter(organisation::Column::MunicipalityCode.eq(code.as_str()))
        .one(db)
        .await?
        .ok_or_else(|| not_found(format!("no municipality with code {code}")))?;
    let owner = municipality.county_id.unwrap_or(municipality.id);
    let index = county_index(db, owner, date, Some(municipality.id))
        .await?
        .ok_or_else(|| not_found(format!("no county or municipality with id {owner}")))?;
    let topics = match topic {
        Some(slug) => vec![topic_by_slug(db, "topic", slug).await?],
        None => index.interface_topics(),
    };
    let levels: Vec<Level> = match level {
        Some(level) => vec![level],
        None => Level::iter().collect(),
    };
    Ok(pairs(&index, &[municipality], &topics, &levels))
}

/// The agreement's promise checked for a county (or Helsinki): every municipality ×
/// interface topic × level on `date`, with the pairs where a side has named nobody.
/// `NOT_FOUND` for an unknown id; `BAD_USER_INPUT` (`countyId`) for anything but a county.
pub async fn coverage<C: ConnectionTrait>(
    db: &C,
    county: Uuid,
    date: NaiveDate,
) -> ApiResult<Coverage> {
    let index = county_index(db, county, date, None)
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
    let gaps = all
        .into_iter()
        .filter_map(|pair| pair.missing().map(|missing| (pair, missing)))
        .collect();
    Ok(Coverage {
        county: index.owner,
        date,
        expected,
        gaps,
    })
}

/// Reads the index of a county (or Helsinki, or an Åland municipality) valid on `date`:
/// its municipalities (only `focus` when given), the county side (the county, the regional
/// council working with it, and their units), every topic, and the representatives of all
/// of them with the municipalities they list. `None` when `owner_id` is none of these.
pub async fn county_index<C: ConnectionTrait>(
    db: &C,
    owner_id: Uuid,
    date: NaiveDate,
    focus: Option<Uuid>,
) -> ApiResult<Option<CountyIndex>> {
    let Some(owner) = organisation::Entity::find_by_id(owner_id).one(db).await? else {
        return Ok(None);
    };
    let Some((municipalities, county_side)) = sides(db, &owner, focus).await? else {
        return Ok(None);
    };
    let roots = municipalities
        .iter()
        .map(|m| m.id)
        .chain(county_side.iter().copied());
    let root_of = with_units(db, roots).await?;
    let topics: HashMap<Uuid, topic::Model> = topic::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let org_ids: Vec<Uuid> = root_of.keys().copied().collect();
    let reps = valid_representatives(db, &org_ids, date).await?;
    let served = listed_municipalities(db, &reps).await?;
    let municipality_ids: HashSet<Uuid> = municipalities.iter().map(|m| m.id).collect();
    let mut index = CountyIndex {
        owner,
        municipalities,
        topics,
        entries: Vec::new(),
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

/// The municipalities (only `focus` when given) and the county-side roots of `owner`: a
/// county has its municipalities and itself with its regional council; Helsinki is both
/// sides; an Åland municipality has no county side. `None` for other organisations.
async fn sides<C: ConnectionTrait>(
    db: &C,
    owner: &organisation::Model,
    focus: Option<Uuid>,
) -> ApiResult<Option<(Vec<organisation::Model>, HashSet<Uuid>)>> {
    let (municipalities, county_roots) = match owner.kind {
        OrganisationKind::WellbeingCounty => {
            let municipalities = organisation::Entity::find()
                .filter(organisation::Column::CountyId.eq(owner.id))
                .filter(organisation::Column::Kind.eq(OrganisationKind::Municipality))
                .order_by_asc(organisation::Column::MunicipalityCode)
                .all(db)
                .await?;
            (municipalities, vec![owner.id])
        }
        OrganisationKind::Municipality if owner.county_id == Some(owner.id) => {
            (vec![owner.clone()], vec![owner.id])
        }
        OrganisationKind::Municipality => (vec![owner.clone()], vec![]),
        _ => return Ok(None),
    };
    let municipalities = match focus {
        Some(m) => municipalities.into_iter().filter(|o| o.id == m).collect(),
        None => municipalities,
    };
    let mut county_side: HashSet<Uuid> = county_roots.iter().copied().collect();
    if !county_roots.is_empty() {
        let councils = organisation::Entity::find()
            .filter(organisation::Column::CountyId.eq(owner.id))
            .filter(organisation::Column::Kind.eq(OrganisationKind::RegionalCouncil))
            .all(db)
            .await?;
        county_side.extend(councils.iter().map(|c| c.id));
    }
    Ok(Some((municipalities, county_side)))
}

/// Every organisation whose representatives count, mapped to the root it speaks for: the
/// roots themselves and their units down to [`MAX_UNIT_DEPTH`] levels.
async fn with_units<C: ConnectionTrait>(
    db: &C,
    roots: impl Iterator<Item = Uuid>,
) -> ApiResult<HashMap<Uuid, Uuid>> {
    let mut root_of: HashMap<Uuid, Uuid> = roots.map(|id| (id, id)).collect();
    let mut frontier: Vec<Uuid> = root_of.keys().copied().collect();
    for _ in 0..MAX_UNIT_DEPTH {
        if frontier.is_empty() {
            break;
        }
        let units = organisation::Entity::find()
            .filter(organisation::Column::ParentId.is_in(frontier.clone()))
            .all(db)
            .await?;
        frontier.clear();
        for unit in units {
            let Some(parent) = unit.parent_id.and_then(|p| root_of.get(&p).copied()) else {
                continue;
            };
            if root_of.insert(unit.id, parent).is_none() {
                frontier.push(unit.id);
            }
        }
    }
    Ok(root_of)
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
            representative::Entity::find()
                .filter(representative::Column::OrganisationId.is_in(chunk.iter().copied()))
                .filter(valid_on(
                    representative::Column::ValidFrom,
                    representative::Column::ValidTo,
                    date,
                ))
                .order_by_asc(representative::Column::Id)
                .all(db)
                .await?,
        );
    }
    Ok(reps)
}

/// The municipalities each representative lists (none listed: no entry).
async fn listed_municipalities<C: ConnectionTrait>(
    db: &C,
    reps: &[representative::Model],
) -> ApiResult<HashMap<Uuid, HashSet<Uuid>>> {
    let rep_ids: Vec<Uuid> = reps.iter().map(|r| r.id).collect();
    let mut served: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
    for chunk in rep_ids.chunks(CHUNK) {
        for link in representative_municipality::Entity::find()
            .filter(
                representative_municipality::Column::RepresentativeId.is_in(chunk.iter().copied()),
            )
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
