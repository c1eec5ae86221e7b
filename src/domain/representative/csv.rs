//! The spreadsheets municipalities keep today: an organisation's representatives as CSV,
//! imported all or nothing (with a dry run and a per-row report) and exported in the same
//! columns ([`export`]).

mod export;
mod matching;
mod parse;

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;
use entity::enums::{Level, OrganisationKind, Visibility};
use entity::{organisation, person, representative, topic};
use sea_orm::{
    ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter, QueryOrder,
};
use uuid::Uuid;

pub use export::export;
pub use matching::{Outcome, RowOutcome};

use super::service::{insert, may_write, replace_served};
use crate::auth::policy::Principal;
use crate::db::audit::Operation;
use crate::db::tx;
use crate::error::ApiResult;
use matching::{Existing, Key};
use parse::parse_rows;

/// The columns of the representatives CSV, in order.
pub const CSV_COLUMNS: [&str; 12] = [
    "person_name",
    "title",
    "email",
    "phone",
    "visibility",
    "topic",
    "level",
    "role",
    "deputy_name",
    "served_municipality_codes",
    "valid_from",
    "valid_to",
];

/// Most rows one import takes.
pub const MAX_ROWS: usize = 5000;
/// Longest name.
const NAME_MAX: usize = 200;
/// Longest title or role.
const SHORT_MAX: usize = 500;

/// A problem with one cell or row of an import.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RowError {
    /// Line number in the CSV, the header being line 1.
    pub line: i32,
    /// The column at fault, when one is.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// What an import did.
#[derive(Debug)]
pub struct Imported {
    /// Whether this was a dry run.
    pub dry_run: bool,
    /// Whether the rows were written.
    pub applied: bool,
    /// Valid rows.
    pub valid_rows: usize,
    /// Persons created for names not yet known in the organisation.
    pub persons_created: usize,
    /// Every problem found.
    pub errors: Vec<RowError>,
    /// The representatives created or updated (none in a dry run).
    pub representatives: Vec<representative::Model>,
    /// What happened (or would happen) with each row, in order.
    pub rows: Vec<RowOutcome>,
}

/// A parsed, checked row.
struct Row {
    line: i32,
    person_name: String,
    title: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    visibility: Visibility,
    topic: Uuid,
    level: Level,
    role: Option<String>,
    deputy_name: Option<String>,
    served: Vec<Uuid>,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
}

/// Imports an organisation's representatives. All or nothing: when any row is invalid
/// nothing is written and every problem is reported; with `dry_run` nothing is written
/// either way, and the report says what would happen. The caller must be allowed to write
/// for the organisation. Persons are matched by name (ignoring case) within the
/// organisation and created when missing (an existing person's contact details are left
/// as they are). A row that matches an appointment ([`matching`]) updates it or is reported
/// unchanged, so importing an export changes nothing. Every person and representative
/// created or changed is audited, in the import's one transaction.
pub async fn import(
    db: &DatabaseConnection,
    who: &Principal,
    org: Uuid,
    csv_text: &str,
    dry_run: bool,
) -> ApiResult<Imported> {
    let tx = tx::begin(db).await?;
    tx::must_exist::<organisation::Entity, _>(&tx, "organisationId", org, "organisation").await?;
    may_write(&tx, who, org, "representatives of that organisation").await?;
    let (topics, municipalities) = lookups(&tx).await?;
    let (rows, mut errors) = parse_rows(csv_text, &topics, &municipalities);
    errors.extend(matching::duplicates(&rows));
    errors.sort_by_key(|e| e.line);
    let mut imported = Imported {
        dry_run,
        applied: false,
        valid_rows: rows.len(),
        persons_created: 0,
        errors,
        representatives: Vec::new(),
        rows: Vec::new(),
    };
    if !imported.errors.is_empty() {
        tx.rollback().await?;
        return Ok(imported);
    }
    let existing = Existing::of(&tx, org).await?;
    let mut people = People::of(&tx, org, &existing.named, dry_run).await?;
    for row in rows {
        let outcome = apply_row(&tx, who, &mut people, &existing, row).await?;
        if let Some(rep) = outcome.1 {
            imported.representatives.push(rep);
        }
        imported.rows.push(outcome.0);
    }
    imported.persons_created = people.created;
    if dry_run {
        tx.rollback().await?;
    } else {
        tx::commit(tx).await?;
        imported.applied = true;
    }
    Ok(imported)
}

/// Creates, updates or leaves the appointment of one row (in a dry run only decides which),
/// with the row written when it was.
async fn apply_row(
    tx: &DatabaseTransaction,
    who: &Principal,
    people: &mut People,
    existing: &Existing,
    row: Row,
) -> ApiResult<(RowOutcome, Option<representative::Model>)> {
    let person_id = people.id_of(tx, who, &row.person_name, Some(&row)).await?;
    let deputy_id = match &row.deputy_name {
        Some(name) => Some(people.id_of(tx, who, name, None).await?),
        None => None,
    };
    let key = Key {
        person: person_id,
        topic: row.topic,
        level: row.level,
        valid_from: row.valid_from,
    };
    let line = row.line;
    let report = |outcome, representative| RowOutcome {
        line,
        outcome,
        representative,
    };
    match existing.matching(&key) {
        Some(rep) if existing.unchanged(rep, &row, deputy_id) => {
            Ok((report(Outcome::Unchanged, Some(rep.id)), None))
        }
        Some(rep) if people.dry_run => Ok((report(Outcome::Updated, Some(rep.id)), None)),
        Some(rep) => {
            let mut after = rep.clone();
            after.role = row.role;
            after.deputy_id = deputy_id;
            after.valid_to = row.valid_to;
            let after = tx::update(tx, who, Operation::Update, rep, after).await?;
            replace_served(tx, rep.id, &row.served).await?;
            Ok((report(Outcome::Updated, Some(rep.id)), Some(after)))
        }
        None if people.dry_run => Ok((report(Outcome::Created, None), None)),
        None => {
            let model = representative::Model {
                id: Uuid::new_v4(),
                person_id,
                organisation_id: people.org,
                topic_id: row.topic,
                level: row.level,
                role: row.role,
                deputy_id,
                valid_from: row.valid_from,
                valid_to: row.valid_to,
                created_at: Default::default(),
                updated_at: Default::default(),
                version: 0,
                reviewed_at: None,
                reviewed_by: None,
            };
            let created = insert(tx, who, model, &row.served).await?;
            Ok((report(Outcome::Created, Some(created.id)), Some(created)))
        }
    }
}

/// An organisation and its units, their units included.
async fn with_units(tx: &DatabaseTransaction, org: Uuid) -> ApiResult<Vec<Uuid>> {
    let mut all = vec![org];
    let mut level = vec![org];
    while !level.is_empty() && all.len() < 10_000 {
        level = organisation::Entity::find()
            .filter(organisation::Column::ParentId.is_in(level))
            .filter(organisation::Column::Id.is_not_in(all.clone()))
            .all(tx)
            .await?
            .into_iter()
            .map(|o| o.id)
            .collect();
        all.extend(&level);
    }
    Ok(all)
}

/// Topic ids by slug and municipality ids by code.
async fn lookups(
    tx: &DatabaseTransaction,
) -> ApiResult<(HashMap<String, Uuid>, HashMap<String, Uuid>)> {
    let topics = topic::Entity::find()
        .all(tx)
        .await?
        .into_iter()
        .map(|t| (t.slug, t.id))
        .collect();
    let municipalities = organisation::Entity::find()
        .filter(organisation::Column::Kind.eq(OrganisationKind::Municipality))
        .all(tx)
        .await?
        .into_iter()
        .filter_map(|o| o.municipality_code.map(|c| (c, o.id)))
        .collect();
    Ok((topics, municipalities))
}

/// The persons an import resolves names to, by lower-cased name: first those already named
/// in the organisation's appointments (wherever they work), then those of the organisation
/// and its units; created in the organisation as the import needs them (in a dry run only
/// counted, under a stand-in id).
struct People {
    org: Uuid,
    known: HashMap<String, Uuid>,
    created: usize,
    dry_run: bool,
}

impl People {
    async fn of(
        tx: &DatabaseTransaction,
        org: Uuid,
        named: &HashSet<Uuid>,
        dry_run: bool,
    ) -> ApiResult<People> {
        let mut known = HashMap::new();
        let appointed = person::Entity::find()
            .filter(person::Column::Id.is_in(named.iter().copied()))
            .order_by_asc(person::Column::Id)
            .all(tx)
            .await?;
        let own = person::Entity::find()
            .filter(person::Column::OrganisationId.is_in(with_units(tx, org).await?))
            .order_by_asc(person::Column::Id)
            .all(tx)
            .await?;
        for p in appointed.into_iter().chain(own) {
            known.entry(p.name.to_lowercase()).or_insert(p.id);
        }
        Ok(People {
            org,
            known,
            created: 0,
            dry_run,
        })
    }

    /// The person named `name`, created (with the row's contact details) when missing.
    async fn id_of(
        &mut self,
        tx: &DatabaseTransaction,
        who: &Principal,
        name: &str,
        row: Option<&Row>,
    ) -> ApiResult<Uuid> {
        if let Some(id) = self.known.get(&name.to_lowercase()) {
            return Ok(*id);
        }
        if self.dry_run {
            let stand_in = Uuid::new_v4();
            self.known.insert(name.to_lowercase(), stand_in);
            self.created += 1;
            return Ok(stand_in);
        }
        let model = person::Model {
            id: Uuid::new_v4(),
            name: name.to_owned(),
            title: row.and_then(|r| r.title.clone()),
            organisation_id: Some(self.org),
            email: row.and_then(|r| r.email.clone()),
            phone: row.and_then(|r| r.phone.clone()),
            visibility: row.map(|r| r.visibility).unwrap_or(Visibility::Public),
            search_text: String::new(),
            created_at: Default::default(),
            updated_at: Default::default(),
            version: 0,
            reviewed_at: None,
            reviewed_by: None,
        };
        let person = tx::insert(tx, who, model).await?;
        self.known.insert(name.to_lowercase(), person.id);
        self.created += 1;
        Ok(person.id)
    }
}

#[cfg(test)]
mod tests;
