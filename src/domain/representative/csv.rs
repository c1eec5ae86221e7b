//! The spreadsheets municipalities keep today: an organisation's representatives as CSV,
//! imported all or nothing (with a dry run and a per-row report) and exported in the same
//! columns ([`export`]).

mod export;

use std::collections::HashMap;

use chrono::NaiveDate;
use entity::enums::{Level, OrganisationKind, Visibility};
use entity::{organisation, person, representative, topic};
use sea_orm::{ColumnTrait, DatabaseConnection, DatabaseTransaction, EntityTrait, QueryFilter};
use uuid::Uuid;

pub use export::export;

use super::service::{insert, may_write};
use crate::auth::policy::Principal;
use crate::db::tx;
use crate::domain::values::{self, Checked};
use crate::error::{ApiResult, FieldError};

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
    /// The representatives created.
    pub representatives: Vec<representative::Model>,
}

/// A parsed, checked row.
struct Row {
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
/// either way. The caller must be allowed to write for the organisation. Persons are
/// matched by name (ignoring case) within the organisation and created when missing; every
/// person and representative created is audited, in the import's one transaction.
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
    let (rows, errors) = parse_rows(csv_text, &topics, &municipalities);
    let mut imported = Imported {
        dry_run,
        applied: false,
        valid_rows: rows.len(),
        persons_created: 0,
        errors,
        representatives: Vec::new(),
    };
    if !imported.errors.is_empty() || dry_run {
        tx.rollback().await?;
        return Ok(imported);
    }
    let mut people = People::of(&tx, org).await?;
    for row in rows {
        let person_id = people.id_of(&tx, who, &row.person_name, Some(&row)).await?;
        let deputy_id = match &row.deputy_name {
            Some(name) => Some(people.id_of(&tx, who, name, None).await?),
            None => None,
        };
        let model = representative::Model {
            id: Uuid::new_v4(),
            person_id,
            organisation_id: org,
            topic_id: row.topic,
            level: row.level,
            role: row.role,
            deputy_id,
            valid_from: row.valid_from,
            valid_to: row.valid_to,
            created_at: Default::default(),
            updated_at: Default::default(),
            version: 0,
        };
        imported
            .representatives
            .push(insert(&tx, who, model, &row.served).await?);
    }
    tx::commit(tx).await?;
    imported.applied = true;
    imported.persons_created = people.created;
    Ok(imported)
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

/// The organisation's persons by lower-cased name, created as the import needs them.
struct People {
    org: Uuid,
    known: HashMap<String, Uuid>,
    created: usize,
}

impl People {
    async fn of(tx: &DatabaseTransaction, org: Uuid) -> ApiResult<People> {
        let known = person::Entity::find()
            .filter(person::Column::OrganisationId.eq(org))
            .all(tx)
            .await?
            .into_iter()
            .map(|p| (p.name.to_lowercase(), p.id))
            .collect();
        Ok(People {
            org,
            known,
            created: 0,
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
        };
        let person = tx::insert(tx, who, model).await?;
        self.known.insert(name.to_lowercase(), person.id);
        self.created += 1;
        Ok(person.id)
    }
}

fn level_of(value: &str) -> Option<Level> {
    match value.trim().to_ascii_uppercase().as_str() {
        "LEADERSHIP" | "JOHDON TASO" | "JOHTO" => Some(Level::Leadership),
        "INTERFACE" | "YHDYSPINTATASO" | "YHDYSPINTA" => Some(Level::Interface),
        "EVERYDAY" | "ARJEN TASO" | "ARKI" => Some(Level::Everyday),
        "PARTICIPATION" | "OSALLISTUMISEN TASO" | "OSALLISTUMINEN" => Some(Level::Participation),
        _ => None,
    }
}

/// Reads the CSV into checked rows, collecting every problem.
fn parse_rows(
    csv_text: &str,
    topics: &HashMap<String, Uuid>,
    municipalities: &HashMap<String, Uuid>,
) -> (Vec<Row>, Vec<RowError>) {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut reader = ::csv::ReaderBuilder::new()
        .trim(::csv::Trim::All)
        .flexible(false)
        .from_reader(csv_text.as_bytes());
    let header_error = |message: String| RowError {
        line: 1,
        column: None,
        message,
    };
    match reader.headers() {
        Err(err) => {
            errors.push(header_error(format!("cannot read the header: {err}")));
            return (rows, errors);
        }
        Ok(h) if !h.iter().eq(CSV_COLUMNS) => {
            errors.push(header_error(format!(
                "the header must be: {}",
                CSV_COLUMNS.join(",")
            )));
            return (rows, errors);
        }
        Ok(_) => {}
    }
    for (n, record) in reader.records().enumerate() {
        let line = i32::try_from(n + 2).unwrap_or(i32::MAX);
        let whole_row = |message: String| RowError {
            line,
            column: None,
            message,
        };
        if n >= MAX_ROWS {
            errors.push(whole_row(format!("at most {MAX_ROWS} rows per import")));
            break;
        }
        match record {
            Ok(record) => match parse_record(line, &record, topics, municipalities) {
                Ok(row) => rows.push(row),
                Err(row_errors) => errors.extend(row_errors),
            },
            Err(err) => errors.push(whole_row(format!("unreadable row: {err}"))),
        }
    }
    (rows, errors)
}

/// The problems of one row, as they are found.
struct Problems {
    line: i32,
    found: Vec<RowError>,
}

impl Problems {
    fn add(&mut self, column: &str, message: String) {
        self.found.push(RowError {
            line: self.line,
            column: Some(column.into()),
            message,
        });
    }

    /// The checked value, or none with its problem noted.
    fn check<T>(&mut self, result: Checked<T>) -> Option<T> {
        result.map_err(|e| self.add(&e.field, e.message)).ok()
    }

    /// An optional cell checked with `parse`.
    fn optional<T>(&mut self, value: &str, parse: impl Fn(&str) -> Checked<T>) -> Option<T> {
        if value.is_empty() {
            None
        } else {
            self.check(parse(value))
        }
    }

    fn date(&mut self, column: &str, value: &str) -> Option<NaiveDate> {
        self.optional(value, |v| {
            v.parse::<NaiveDate>()
                .map_err(|_| FieldError::new(column, format!("{v:?} is not a date (YYYY-MM-DD)")))
        })
    }
}

/// One record as a checked row, or every problem in it.
fn parse_record(
    line: i32,
    record: &::csv::StringRecord,
    topics: &HashMap<String, Uuid>,
    municipalities: &HashMap<String, Uuid>,
) -> Result<Row, Vec<RowError>> {
    let cell = |i: usize| record.get(i).unwrap_or_default();
    let mut p = Problems {
        line,
        found: Vec::new(),
    };
    let person_name = p
        .check(values::text("person_name", Some(cell(0)), NAME_MAX, true))
        .flatten();
    let title = p
        .check(values::text("title", Some(cell(1)), SHORT_MAX, false))
        .flatten();
    let email = p.optional(cell(2), |v| values::email("email", v));
    let phone = p.optional(cell(3), |v| values::phone("phone", v));
    let visibility = match cell(4).to_ascii_uppercase().as_str() {
        "" | "PUBLIC" => Visibility::Public,
        "INTERNAL" => Visibility::Internal,
        other => {
            p.add("visibility", format!("{other:?} is not PUBLIC or INTERNAL"));
            Visibility::Public
        }
    };
    let topic = topics.get(cell(5)).copied();
    if topic.is_none() {
        p.add("topic", format!("no topic with slug {:?}", cell(5)));
    }
    let level = level_of(cell(6));
    if level.is_none() {
        let levels = "LEADERSHIP, INTERFACE, EVERYDAY or PARTICIPATION";
        p.add("level", format!("{:?} is not {levels}", cell(6)));
    }
    let role = p
        .check(values::text("role", Some(cell(7)), SHORT_MAX, false))
        .flatten();
    let deputy_name = p
        .check(values::text("deputy_name", Some(cell(8)), NAME_MAX, false))
        .flatten();
    let mut served = Vec::new();
    for code in cell(9).split([';', ' ', ',']).filter(|c| !c.is_empty()) {
        match municipalities.get(code) {
            Some(id) => served.push(*id),
            None => p.add(
                "served_municipality_codes",
                format!("no municipality with code {code:?}"),
            ),
        }
    }
    let valid_from = p.date("valid_from", cell(10));
    let valid_to = p.date("valid_to", cell(11));
    p.check(values::date_range("valid_to", valid_from, valid_to));
    match (person_name, topic, level) {
        (Some(person_name), Some(topic), Some(level)) if p.found.is_empty() => Ok(Row {
            person_name,
            title,
            email,
            phone,
            visibility,
            topic,
            level,
            role,
            deputy_name,
            served,
            valid_from,
            valid_to,
        }),
        _ => Err(p.found),
    }
}

#[cfg(test)]
mod tests;
