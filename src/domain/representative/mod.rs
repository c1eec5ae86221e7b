//! Representatives: a person's appointment for an organisation on a topic and level, with
//! the municipalities it serves; listed, written one at a time, or imported and exported
//! as CSV.

pub mod csv;
pub mod service;

use chrono::NaiveDate;
use entity::enums::Level;
use uuid::Uuid;

use crate::domain::values::{MunicipalityCode, Slug};

crate::versioned!(representative, "Representative", "representative");

/// A change to a nullable field.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Change<T> {
    /// Leave it as it is.
    #[default]
    Keep,
    /// Set it to null.
    Clear,
    /// Set it to this.
    Set(T),
}

impl<T> Change<T> {
    /// The field after the change.
    pub fn apply(self, current: Option<T>) -> Option<T> {
        match self {
            Change::Keep => current,
            Change::Clear => None,
            Change::Set(value) => Some(value),
        }
    }
}

/// A representative to name.
#[derive(Debug, Clone)]
pub struct NewRepresentative {
    /// The person named.
    pub person_id: Uuid,
    /// The organisation naming the person.
    pub organisation_id: Uuid,
    /// The topic.
    pub topic: Slug,
    /// The level of cooperation.
    pub level: Level,
    /// The role as written.
    pub role: Option<String>,
    /// The deputy.
    pub deputy_id: Option<Uuid>,
    /// The municipalities served; empty: the default rule.
    pub served: Vec<Uuid>,
    /// First day.
    pub valid_from: Option<NaiveDate>,
    /// Last day, not before the first.
    pub valid_to: Option<NaiveDate>,
}

/// Changes to a representative, at the version the client read.
#[derive(Debug, Clone)]
pub struct RepresentativePatch {
    /// The representative.
    pub id: Uuid,
    /// The version the client read.
    pub version: i32,
    /// Another person.
    pub person_id: Option<Uuid>,
    /// Another topic.
    pub topic: Option<Slug>,
    /// Another level.
    pub level: Option<Level>,
    /// The role.
    pub role: Change<String>,
    /// The deputy.
    pub deputy_id: Change<Uuid>,
    /// Replaces the served municipalities.
    pub served: Option<Vec<Uuid>>,
    /// First day.
    pub valid_from: Change<NaiveDate>,
    /// Last day.
    pub valid_to: Change<NaiveDate>,
}

/// Ends a representative's term on its last day (default today).
#[derive(Debug, Clone)]
pub struct EndRepresentative {
    /// The representative.
    pub id: Uuid,
    /// The version the client read.
    pub version: i32,
    /// The last day.
    pub valid_to: Option<NaiveDate>,
}

/// The municipality a representative list is about.
#[derive(Debug, Clone)]
pub enum Served {
    /// By id.
    Id(Uuid),
    /// By municipality code.
    Code(MunicipalityCode),
}

/// Which representatives to list.
#[derive(Debug, Clone, Default)]
pub struct RepresentativeFilter {
    /// Named by this organisation.
    pub organisation_id: Option<Uuid>,
    /// On this topic, its sub-topics included.
    pub topic: Option<Slug>,
    /// At this level.
    pub level: Option<Level>,
    /// Serving this municipality: its own representatives and the county side's serving it.
    pub serving: Option<Served>,
    /// Valid on this day; none: every appointment.
    pub valid_on: Option<NaiveDate>,
    /// Words that must all appear in the person's name or title.
    pub text: Option<String>,
    /// Only stale (never confirmed, or longer ago than the review period) rows when
    /// `stale` is true, only current ones when false.
    pub stale: Option<crate::domain::review::Staleness>,
}
