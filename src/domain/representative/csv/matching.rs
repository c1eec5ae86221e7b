//! Matching imported rows to the appointments an organisation already has, so that
//! importing the same file again changes nothing and an edited row updates its appointment.
//!
//! A row matches an appointment of the organisation with the same person (by name within
//! the organisation), topic, level and first day (`valid_from`, both empty counting as the
//! same), whether the appointment is current or ended. What a matched row may change is the
//! rest: role, deputy, last day and served municipalities. When older imports left several
//! appointments with one key, the oldest is the one matched.

use std::collections::{BTreeSet, HashMap, HashSet};

use chrono::NaiveDate;
use entity::enums::Level;
use entity::{representative, representative_municipality};
use sea_orm::sea_query::Query;
use sea_orm::{ColumnTrait, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder};
use uuid::Uuid;

use super::{Row, RowError};
use crate::error::ApiResult;

/// What an import did, or in a dry run would do, with one row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A new appointment.
    Created,
    /// An existing appointment with other role, deputy, last day or served municipalities.
    Updated,
    /// An existing appointment exactly as the row says.
    Unchanged,
}

/// One row's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RowOutcome {
    /// Line number in the CSV, the header being line 1.
    pub line: i32,
    /// What happened.
    pub outcome: Outcome,
    /// The appointment matched or created; none for a creation in a dry run.
    pub representative: Option<Uuid>,
}

/// What an appointment is matched by.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub(super) struct Key {
    pub person: Uuid,
    pub topic: Uuid,
    pub level: Level,
    pub valid_from: Option<NaiveDate>,
}

/// The organisation's appointments by key, with the municipalities each serves.
pub(super) struct Existing {
    by_key: HashMap<Key, representative::Model>,
    served: HashMap<Uuid, BTreeSet<Uuid>>,
    /// Persons named in the appointments, as representative or deputy.
    pub named: HashSet<Uuid>,
}

impl Existing {
    /// Reads the appointments of `org`.
    pub async fn of(tx: &DatabaseTransaction, org: Uuid) -> ApiResult<Existing> {
        let reps = representative::Entity::find()
            .filter(representative::Column::OrganisationId.eq(org))
            .order_by_asc(representative::Column::CreatedAt)
            .order_by_asc(representative::Column::Id)
            .all(tx)
            .await?;
        let of_org = Query::select()
            .column(representative::Column::Id)
            .from(representative::Entity)
            .and_where(representative::Column::OrganisationId.eq(org))
            .to_owned();
        let mut served: HashMap<Uuid, BTreeSet<Uuid>> = HashMap::new();
        for link in representative_municipality::Entity::find()
            .filter(representative_municipality::Column::RepresentativeId.in_subquery(of_org))
            .all(tx)
            .await?
        {
            served
                .entry(link.representative_id)
                .or_default()
                .insert(link.municipality_id);
        }
        let mut by_key = HashMap::new();
        let mut named = HashSet::new();
        for rep in reps {
            named.extend([Some(rep.person_id), rep.deputy_id].into_iter().flatten());
            let key = Key {
                person: rep.person_id,
                topic: rep.topic_id,
                level: rep.level,
                valid_from: rep.valid_from,
            };
            by_key.entry(key).or_insert(rep);
        }
        Ok(Existing {
            by_key,
            served,
            named,
        })
    }

    /// The appointment `key` matches.
    pub fn matching(&self, key: &Key) -> Option<&representative::Model> {
        self.by_key.get(key)
    }

    /// Whether `rep` already is what `row` (with its deputy resolved) says.
    pub fn unchanged(&self, rep: &representative::Model, row: &Row, deputy: Option<Uuid>) -> bool {
        let served: BTreeSet<Uuid> = row.served.iter().copied().collect();
        rep.role == row.role
            && rep.deputy_id == deputy
            && rep.valid_to == row.valid_to
            && self.served.get(&rep.id).cloned().unwrap_or_default() == served
    }
}

/// A row naming the same appointment as an earlier row of the file: reported, since the
/// second would silently overwrite the first.
pub(super) fn duplicates(rows: &[Row]) -> Vec<RowError> {
    let mut first: HashMap<_, i32> = HashMap::new();
    let mut errors = Vec::new();
    let mut seen = HashSet::new();
    for row in rows {
        let key = (
            row.person_name.to_lowercase(),
            row.topic,
            row.level,
            row.valid_from,
        );
        if seen.insert(key.clone()) {
            first.insert(key, row.line);
        } else {
            errors.push(RowError {
                line: row.line,
                column: None,
                message: format!(
                    "the same appointment (person, topic, level, valid_from) as line {}",
                    first[&key]
                ),
            });
        }
    }
    errors
}
