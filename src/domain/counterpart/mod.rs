//! The counterpart logic of the agreement (vastinparit).
//!
//! For a municipality, a topic and a level, the municipality's side is the representatives
//! the municipality (or one of its units) has named; the county's side is the
//! representatives of the county, its units, or the regional council working with the
//! county, who serve that municipality: those listing it, or listing none (serving every
//! municipality of the county). A representative named on a sub-theme counts for its
//! interface area. A pair is complete when both sides have someone.
//!
//! [`CountyIndex`] holds everything one county needs, read by [`service::county_index`] in a
//! fixed number of statements, and answers the lookups in memory.

pub mod cache;
pub mod service;

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};
use entity::enums::{Level, TopicKind};
use entity::{organisation, representative, topic};
use uuid::Uuid;

use crate::domain::review::is_stale_at;

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
    /// When each representative's person was last confirmed, by person id: a pair rests on
    /// its representatives and their persons. Staleness itself is judged at lookup time
    /// ([`Pair::stale_rows`]), so a cached index never keeps an old verdict.
    person_reviews: HashMap<Uuid, Option<DateTime<Utc>>>,
    /// Entries by (municipality, top-level topic, level): the municipality's own ones and
    /// the county side's serving it, as positions in `entries`. Built once, so a pair on a
    /// top-level topic is one lookup and coverage one pass over the answer.
    slots: HashMap<(Uuid, Uuid, Level), Sides>,
}

/// Positions in [`CountyIndex::entries`] of a slot's two sides.
#[derive(Debug, Default)]
struct Sides {
    own: Vec<usize>,
    county: Vec<usize>,
}

impl CountyIndex {
    /// Its size in rows (representatives, municipalities, topics, persons), as a cache
    /// weighs it.
    pub fn rows(&self) -> usize {
        self.entries.len()
            + self.municipalities.len()
            + self.topics.len()
            + self.person_reviews.len()
    }

    /// Top-level interface topics in the agreement's order.
    pub fn interface_topics(&self) -> Vec<topic::Model> {
        let mut roots: Vec<topic::Model> = self
            .topics
            .values()
            .filter(|t| t.kind == TopicKind::Interface && t.parent_id.is_none())
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

    /// The top-level topic above `topic` (itself when it has no parent).
    fn root_topic(&self, mut topic: Uuid) -> Uuid {
        for _ in 0..16 {
            match self.topics.get(&topic).and_then(|t| t.parent_id) {
                Some(parent) => topic = parent,
                None => break,
            }
        }
        topic
    }

    /// Fills the slots from the entries; called once when the index is built.
    fn index_slots(&mut self) {
        let mut slots: HashMap<(Uuid, Uuid, Level), Sides> = HashMap::new();
        for (i, e) in self.entries.iter().enumerate() {
            if let Some(m) = e.municipality {
                slots
                    .entry((m, e.root_topic, e.rep.level))
                    .or_default()
                    .own
                    .push(i);
            }
            if e.county_side {
                for m in &e.serves {
                    slots
                        .entry((*m, e.root_topic, e.rep.level))
                        .or_default()
                        .county
                        .push(i);
                }
            }
        }
        self.slots = slots;
    }

    /// The two sides for a municipality, a topic (with its sub-topics) and a level.
    pub fn pair(
        &self,
        municipality: Uuid,
        topic: Uuid,
        level: Level,
    ) -> (Vec<representative::Model>, Vec<representative::Model>) {
        let is_root = self
            .topics
            .get(&topic)
            .is_some_and(|t| t.parent_id.is_none());
        if is_root {
            let reps = |positions: &[usize]| -> Vec<representative::Model> {
                positions
                    .iter()
                    .map(|i| self.entries[*i].rep.clone())
                    .collect()
            };
            return match self.slots.get(&(municipality, topic, level)) {
                Some(sides) => (reps(&sides.own), reps(&sides.county)),
                None => (Vec::new(), Vec::new()),
            };
        }
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

/// Every municipality × interface topic × level of the index, or the subset asked for.
pub fn pairs(
    index: &CountyIndex,
    municipalities: &[organisation::Model],
    topics: &[topic::Model],
    levels: &[Level],
) -> Vec<Pair> {
    let mut out = Vec::new();
    for m in municipalities {
        for t in topics {
            for level in levels {
                let (own, county) = index.pair(m.id, t.id, *level);
                let person_reviews = own
                    .iter()
                    .chain(&county)
                    .map(|r| {
                        let review = index.person_reviews.get(&r.person_id).copied().flatten();
                        (r.person_id, review)
                    })
                    .collect();
                out.push(Pair {
                    municipality: m.clone(),
                    topic: t.clone(),
                    level: *level,
                    own,
                    county,
                    person_reviews,
                });
            }
        }
    }
    out
}

/// One computed counterpart pair: a municipality's own representatives and the county
/// side's serving it, on a topic and level.
#[derive(Debug, Clone)]
pub struct Pair {
    pub municipality: organisation::Model,
    pub topic: topic::Model,
    pub level: Level,
    pub own: Vec<representative::Model>,
    pub county: Vec<representative::Model>,
    /// When the person of each representative was last confirmed, by person id.
    pub person_reviews: HashMap<Uuid, Option<DateTime<Utc>>>,
}

impl Pair {
    /// The representatives of the pair that rest on a stale row at `cutoff` (see
    /// [`crate::domain::review`]): the representative itself, or its person, never
    /// confirmed or confirmed before `cutoff`.
    pub fn stale_rows(&self, cutoff: DateTime<Utc>) -> Vec<&representative::Model> {
        self.own
            .iter()
            .chain(&self.county)
            .filter(|r| {
                let person = self.person_reviews.get(&r.person_id).copied().flatten();
                is_stale_at(r.reviewed_at, cutoff) || is_stale_at(person, cutoff)
            })
            .collect()
    }

    /// Whether any representative of the pair, or its person, is stale at `cutoff`. A pair
    /// where nobody is named rests on nothing and is not stale (it is a gap).
    pub fn is_stale(&self, cutoff: DateTime<Utc>) -> bool {
        !self.stale_rows(cutoff).is_empty()
    }

    /// Which side has named nobody, if any.
    pub fn missing(&self) -> Option<Missing> {
        match (self.own.is_empty(), self.county.is_empty()) {
            (false, false) => None,
            (true, true) => Some(Missing::Both),
            (true, false) => Some(Missing::Municipality),
            (false, true) => Some(Missing::County),
        }
    }
}

/// Which side of a pair has named nobody.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Missing {
    /// The municipality.
    Municipality,
    /// The county and the regional council.
    County,
    /// Both sides.
    Both,
}

/// The agreement's promise checked for a county: every municipality × interface topic ×
/// level, and the pairs where a side has named nobody.
#[derive(Debug)]
pub struct Coverage {
    /// The county (or Helsinki).
    pub county: organisation::Model,
    /// The day checked.
    pub date: chrono::NaiveDate,
    /// How many pairs there are.
    pub expected: usize,
    /// The incomplete pairs, by municipality code, topic order and level.
    pub gaps: Vec<(Pair, Missing)>,
    /// The pairs where someone is named and some representative, or its person, is stale
    /// at the time of the lookup; in the same order.
    pub stale: Vec<Pair>,
}

impl Coverage {
    /// Pairs where both sides have named someone.
    pub fn covered(&self) -> usize {
        self.expected - self.gaps.len()
    }

    /// `covered / expected`, 0 when nothing is expected.
    pub fn ratio(&self) -> f64 {
        if self.expected == 0 {
            0.0
        } else {
            self.covered() as f64 / self.expected as f64
        }
    }
}
