//! The counterpart logic of the agreement (vastinparit).
//!
//! For a municipality, a topic and a level, the municipality's side is the representatives
//! the municipality (or one of its units) has named; the county's side is the
//! representatives of the county, its units, or the regional council working with the
//! county, who serve that municipality: those listing it, or listing none (serving every
//! municipality of the county). A representative named on a sub-theme counts for its
//! interface area. A pair is complete when both sides have someone.
//!
//! [`CountyIndex`] reads everything one county needs in a fixed number of statements and
//! answers the lookups in memory; it is loaded at most once per request, county and date.

use std::collections::{HashMap, HashSet};
use std::sync::Arc;

use async_graphql::Context;
use async_graphql::dataloader::Loader;
use chrono::NaiveDate;
use entity::enums as db;
use entity::*;
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use crate::db::loaders::{DbLoader, LoadError, valid_on};
use crate::error::*;
use crate::graphql::context::loaders;

/// How many levels of units below an organisation are searched for representatives.
const MAX_UNIT_DEPTH: usize = 4;

/// One representative with the sides it stands on.
#[derive(Debug, Clone)]
struct Entry {
    rep: representative::Model,
    /// The municipality whose own representative this is.
    municipality: Option<Uuid>,
    /// Whether the representative is on the county's side.
    county_side: bool,
    /// Municipalities served on the county's side.
    serves: HashSet<Uuid>,
    /// The top-level topic the representative's topic belongs to.
    root_topic: Uuid,
}

/// Everything the counterpart and coverage lookups of one county need.
#[derive(Debug)]
pub struct CountyIndex {
    /// The county (or Helsinki, or an Åland municipality, which has no county side).
    pub owner: organisation::Model,
    /// Its municipalities by municipality code.
    pub municipalities: Vec<organisation::Model>,
    /// Every topic by id.
    pub topics: HashMap<Uuid, topic::Model>,
    entries: Vec<Entry>,
}

impl CountyIndex {
    /// Top-level interface topics in the agreement's order.
    pub fn interface_topics(&self) -> Vec<topic::Model> {
        let mut roots: Vec<topic::Model> = self
            .topics
            .values()
            .filter(|t| t.kind == db::TopicKind::Interface && t.parent_id.is_none())
            .cloned()
            .collect();
        roots.sort_by(|a, b| (a.sort_order, &a.slug).cmp(&(b.sort_order, &b.slug)));
        roots
    }

    /// Whether `topic` is `ancestor` or below it.
    fn within(&self, topic: Uuid, ancestor: Uuid) -> bool {
        let mut current = Some(topic);
        for _ in 0..16 {
            match current {
                Some(id) if id == ancestor => return true,
                Some(id) => current = self.topics.get(&id).and_then(|t| t.parent_id),
                None => return false,
            }
        }
        false
    }

    /// The two sides for a municipality, a topic (with its sub-topics) and a level.
    pub fn pair(
        &self,
        municipality: Uuid,
        topic: Uuid,
        level: db::Level,
    ) -> (Vec<representative::Model>, Vec<representative::Model>) {
        let matching = || {
            self.entries
                .iter()
                .filter(move |e| e.rep.level == level && self.within(e.rep.topic_id, topic))
        };
        let own = matching()
            .filter(|e| e.municipality == Some(municipality))
            .map(|e| e.rep.clone())
            .collect();
        let county = matching()
            .filter(|e| e.county_side && e.serves.contains(&municipality))
            .map(|e| e.rep.clone())
            .collect();
        (own, county)
    }

    /// The representatives on the other side of `rep`: same interface area and level,
    /// serving the same municipalities.
    pub fn counterparts_of(&self, rep: &representative::Model) -> Vec<representative::Model> {
        let Some(me) = self.entries.iter().find(|e| e.rep.id == rep.id) else {
            return Vec::new();
        };
        let mut out: Vec<representative::Model> = self
            .entries
            .iter()
            .filter(|other| {
                other.rep.id != me.rep.id
                    && other.rep.level == me.rep.level
                    && other.root_topic == me.root_topic
                    && ((me
                        .municipality
                        .is_some_and(|m| other.county_side && other.serves.contains(&m)))
                        || (me.county_side
                            && other.municipality.is_some_and(|m| me.serves.contains(&m))))
            })
            .map(|e| e.rep.clone())
            .collect();
        out.sort_by_key(|r| r.id);
        out
    }
}

/// Key of a county index: the county (or Helsinki, or an Åland municipality) and the day.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CountyIndexKey {
    /// The county (or Helsinki, or an Åland municipality).
    pub owner: Uuid,
    /// The day.
    pub date: NaiveDate,
    /// Only this municipality's side, for a lookup that needs no other.
    pub focus: Option<Uuid>,
}

impl Loader<CountyIndexKey> for DbLoader {
    type Value = Arc<CountyIndex>;
    type Error = LoadError;

    async fn load(
        &self,
        keys: &[CountyIndexKey],
    ) -> Result<HashMap<CountyIndexKey, Self::Value>, Self::Error> {
        let mut out = HashMap::new();
        for key in keys {
            if let Some(index) = build(self, key.owner, key.date, key.focus).await? {
                out.insert(*key, Arc::new(index));
            }
        }
        Ok(out)
    }
}

async fn build(
    loader: &DbLoader,
    owner_id: Uuid,
    date: NaiveDate,
    focus: Option<Uuid>,
) -> Result<Option<CountyIndex>, LoadError> {
    let db = &loader.db;
    let Some(owner) = organisation::Entity::find_by_id(owner_id)
        .one(db)
        .await
        .map_err(Arc::new)?
    else {
        return Ok(None);
    };
    let (municipalities, county_roots) = match owner.kind {
        db::OrganisationKind::WellbeingCounty => {
            let municipalities = organisation::Entity::find()
                .filter(organisation::Column::CountyId.eq(owner.id))
                .filter(organisation::Column::Kind.eq(db::OrganisationKind::Municipality))
                .order_by_asc(organisation::Column::MunicipalityCode)
                .all(db)
                .await
                .map_err(Arc::new)?;
            (municipalities, vec![owner.id])
        }
        db::OrganisationKind::Municipality if owner.county_id == Some(owner.id) => {
            (vec![owner.clone()], vec![owner.id])
        }
        db::OrganisationKind::Municipality => (vec![owner.clone()], vec![]),
        _ => return Ok(None),
    };
    let municipalities: Vec<organisation::Model> = match focus {
        Some(m) => municipalities.into_iter().filter(|o| o.id == m).collect(),
        None => municipalities,
    };
    let mut county_side: HashSet<Uuid> = county_roots.iter().copied().collect();
    if !county_roots.is_empty() {
        let councils = organisation::Entity::find()
            .filter(organisation::Column::CountyId.eq(owner.id))
            .filter(organisation::Column::Kind.eq(db::OrganisationKind::RegionalCouncil))
            .all(db)
            .await
            .map_err(Arc::new)?;
        county_side.extend(councils.iter().map(|c| c.id));
    }
    // Every organisation whose representatives count, mapped to the root it speaks for.
    let mut root_of: HashMap<Uuid, Uuid> = HashMap::new();
    for id in &county_side {
        root_of.insert(*id, *id);
    }
    for m in &municipalities {
        root_of.insert(m.id, m.id);
    }
    let mut frontier: Vec<Uuid> = root_of.keys().copied().collect();
    for _ in 0..MAX_UNIT_DEPTH {
        if frontier.is_empty() {
            break;
        }
        let units = organisation::Entity::find()
            .filter(organisation::Column::ParentId.is_in(frontier.clone()))
            .all(db)
            .await
            .map_err(Arc::new)?;
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
    let topics: HashMap<Uuid, topic::Model> = topic::Entity::find()
        .all(db)
        .await
        .map_err(Arc::new)?
        .into_iter()
        .map(|t| (t.id, t))
        .collect();
    let org_ids: Vec<Uuid> = root_of.keys().copied().collect();
    let mut reps = Vec::new();
    for chunk in org_ids.chunks(1000) {
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
                .await
                .map_err(Arc::new)?,
        );
    }
    let rep_ids: Vec<Uuid> = reps.iter().map(|r| r.id).collect();
    let mut served: HashMap<Uuid, HashSet<Uuid>> = HashMap::new();
    for chunk in rep_ids.chunks(1000) {
        for link in representative_municipality::Entity::find()
            .filter(
                representative_municipality::Column::RepresentativeId.is_in(chunk.iter().copied()),
            )
            .all(db)
            .await
            .map_err(Arc::new)?
        {
            served
                .entry(link.representative_id)
                .or_default()
                .insert(link.municipality_id);
        }
    }
    let municipality_ids: HashSet<Uuid> = municipalities.iter().map(|m| m.id).collect();
    let root_topic = |mut id: Uuid| {
        for _ in 0..16 {
            match topics.get(&id).and_then(|t| t.parent_id) {
                Some(parent) => id = parent,
                None => break,
            }
        }
        id
    };
    let entries = reps
        .into_iter()
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
                root_topic: root_topic(rep.topic_id),
                rep,
                municipality,
                county_side: county,
                serves,
            })
        })
        .collect();
    Ok(Some(CountyIndex {
        owner,
        municipalities,
        topics,
        entries,
    }))
}

/// The index of a county for a day, loaded once per request; with `focus`, only that
/// municipality and the county side are read.
pub async fn county_index(
    ctx: &Context<'_>,
    county: Uuid,
    date: NaiveDate,
    focus: Option<Uuid>,
) -> ApiResult<Arc<CountyIndex>> {
    loaders(ctx)
        .load_one(CountyIndexKey {
            owner: county,
            date,
            focus,
        })
        .await?
        .ok_or_else(|| not_found(format!("no county or municipality with id {county}")))
}

/// Every municipality × interface topic × level of the index, or the subset asked for.
pub fn pairs(
    index: &CountyIndex,
    municipalities: &[organisation::Model],
    topics: &[topic::Model],
    levels: &[db::Level],
) -> Vec<PairRows> {
    let mut out = Vec::new();
    for m in municipalities {
        for t in topics {
            for level in levels {
                let (own, county) = index.pair(m.id, t.id, *level);
                out.push(PairRows {
                    municipality: m.clone(),
                    topic: t.clone(),
                    level: *level,
                    own,
                    county,
                });
            }
        }
    }
    out
}

/// One computed counterpart pair.
pub struct PairRows {
    pub municipality: organisation::Model,
    pub topic: topic::Model,
    pub level: db::Level,
    pub own: Vec<representative::Model>,
    pub county: Vec<representative::Model>,
}
