//! The spreadsheets municipalities keep today: representatives as CSV, imported all or
//! nothing (with a dry run and a per-row report) and exported in the same columns; and the
//! audit log for admins.

use std::collections::HashMap;

use async_graphql::{Context, ID, Json, Object, SimpleObject};
use chrono::{DateTime, NaiveDate, Utc};
use entity::enums as db;
use entity::*;
use sea_orm::{ActiveModelTrait, IntoActiveModel};
use sea_orm::{
    ColumnTrait, EntityTrait, PaginatorTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use uuid::Uuid;

use super::inputs::{NAME_MAX, SHORT_MAX, id};
use super::mutation::{RepresentativeRow, insert_representative};
use super::paging::{List, Page};
use super::scalars::Date;
use super::types::Representative;
use super::write::{Operation, audit, caller, enforce, owner};
use super::{active_date, db, viewer};
use crate::auth::policy;
use crate::db::loaders::valid_on;
use crate::domain::search::Searchable;
use crate::error::*;
use crate::input;

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

/// A problem with one cell or row of an import.
#[derive(SimpleObject, Clone, Debug, PartialEq, Eq)]
pub struct ImportRowError {
    /// Line number in the CSV, the header being line 1.
    pub line: i32,
    /// The column at fault, when one is.
    pub column: Option<String>,
    /// What is wrong.
    pub message: String,
}

/// The result of an import.
#[derive(SimpleObject)]
pub struct ImportRepresentativesPayload {
    /// Whether this was a dry run (nothing written).
    pub dry_run: bool,
    /// Whether the rows were written: only when every row is valid and it was not a dry run.
    pub applied: bool,
    /// Valid rows (all of them when `errors` is empty).
    pub valid_rows: i32,
    /// Persons created for names not yet known in the organisation.
    pub persons_created: i32,
    /// Every problem found; empty when the file is valid.
    pub errors: Vec<ImportRowError>,
    /// The representatives created (empty unless applied).
    pub representatives: Vec<Representative>,
}

/// A parsed, checked row.
struct Row {
    line: i32,
    person_name: String,
    title: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    visibility: db::Visibility,
    topic: Uuid,
    level: db::Level,
    role: Option<String>,
    deputy_name: Option<String>,
    served: Vec<Uuid>,
    valid_from: Option<NaiveDate>,
    valid_to: Option<NaiveDate>,
}

fn level_of(value: &str) -> Option<db::Level> {
    match value.trim().to_ascii_uppercase().as_str() {
        "LEADERSHIP" | "JOHDON TASO" | "JOHTO" => Some(db::Level::Leadership),
        "INTERFACE" | "YHDYSPINTATASO" | "YHDYSPINTA" => Some(db::Level::Interface),
        "EVERYDAY" | "ARJEN TASO" | "ARKI" => Some(db::Level::Everyday),
        "PARTICIPATION" | "OSALLISTUMISEN TASO" | "OSALLISTUMINEN" => {
            Some(db::Level::Participation)
        }
        _ => None,
    }
}

fn level_name(level: db::Level) -> &'static str {
    match level {
        db::Level::Leadership => "LEADERSHIP",
        db::Level::Interface => "INTERFACE",
        db::Level::Everyday => "EVERYDAY",
        db::Level::Participation => "PARTICIPATION",
    }
}

/// Reads the CSV into checked rows, collecting every problem.
fn parse_rows(
    csv_text: &str,
    topics: &HashMap<String, Uuid>,
    municipalities: &HashMap<String, Uuid>,
) -> (Vec<Row>, Vec<ImportRowError>) {
    let mut rows = Vec::new();
    let mut errors = Vec::new();
    let mut reader = csv::ReaderBuilder::new()
        .trim(csv::Trim::All)
        .flexible(false)
        .from_reader(csv_text.as_bytes());
    let headers = match reader.headers() {
        Ok(h) => h.clone(),
        Err(err) => {
            errors.push(ImportRowError {
                line: 1,
                column: None,
                message: format!("cannot read the header: {err}"),
            });
            return (rows, errors);
        }
    };
    let expected: Vec<&str> = CSV_COLUMNS.to_vec();
    let got: Vec<&str> = headers.iter().collect();
    if got != expected {
        errors.push(ImportRowError {
            line: 1,
            column: None,
            message: format!("the header must be: {}", CSV_COLUMNS.join(",")),
        });
        return (rows, errors);
    }
    for (n, record) in reader.records().enumerate() {
        let line = i32::try_from(n + 2).unwrap_or(i32::MAX);
        if n >= MAX_ROWS {
            errors.push(ImportRowError {
                line,
                column: None,
                message: format!("at most {MAX_ROWS} rows per import"),
            });
            break;
        }
        let record = match record {
            Ok(r) => r,
            Err(err) => {
                errors.push(ImportRowError {
                    line,
                    column: None,
                    message: format!("unreadable row: {err}"),
                });
                continue;
            }
        };
        let cell = |i: usize| record.get(i).unwrap_or_default();
        let mut row_errors = Vec::new();
        let mut err = |column: &str, message: String| {
            row_errors.push(ImportRowError {
                line,
                column: Some(column.into()),
                message,
            });
        };
        let checked = |r: input::Checked<Option<String>>, err: &mut dyn FnMut(&str, String)| match r
        {
            Ok(v) => v,
            Err(e) => {
                err(&e.field, e.message);
                None
            }
        };
        let person_name = checked(
            input::text("person_name", Some(cell(0)), NAME_MAX, true),
            &mut err,
        );
        let title = checked(
            input::text("title", Some(cell(1)), SHORT_MAX, false),
            &mut err,
        );
        let email = if cell(2).is_empty() {
            None
        } else {
            checked(input::email("email", cell(2)).map(Some), &mut err)
        };
        let phone = if cell(3).is_empty() {
            None
        } else {
            checked(input::phone("phone", cell(3)).map(Some), &mut err)
        };
        let visibility = match cell(4).to_ascii_uppercase().as_str() {
            "" | "PUBLIC" => db::Visibility::Public,
            "INTERNAL" => db::Visibility::Internal,
            other => {
                err("visibility", format!("{other:?} is not PUBLIC or INTERNAL"));
                db::Visibility::Public
            }
        };
        let topic = topics.get(cell(5)).copied();
        if topic.is_none() {
            err("topic", format!("no topic with slug {:?}", cell(5)));
        }
        let level = level_of(cell(6));
        if level.is_none() {
            err(
                "level",
                format!(
                    "{:?} is not LEADERSHIP, INTERFACE, EVERYDAY or PARTICIPATION",
                    cell(6)
                ),
            );
        }
        let role = checked(
            input::text("role", Some(cell(7)), SHORT_MAX, false),
            &mut err,
        );
        let deputy_name = checked(
            input::text("deputy_name", Some(cell(8)), NAME_MAX, false),
            &mut err,
        );
        let mut served = Vec::new();
        for code in cell(9).split([';', ' ', ',']).filter(|c| !c.is_empty()) {
            match municipalities.get(code) {
                Some(id) => served.push(*id),
                None => err(
                    "served_municipality_codes",
                    format!("no municipality with code {code:?}"),
                ),
            }
        }
        let date =
            |column: &str, value: &str, err: &mut dyn FnMut(&str, String)| -> Option<NaiveDate> {
                if value.is_empty() {
                    return None;
                }
                match value.parse::<NaiveDate>() {
                    Ok(d) => Some(d),
                    Err(_) => {
                        err(column, format!("{value:?} is not a date (YYYY-MM-DD)"));
                        None
                    }
                }
            };
        let valid_from = date("valid_from", cell(10), &mut err);
        let valid_to = date("valid_to", cell(11), &mut err);
        if let Err(e) = input::date_range("valid_to", valid_from, valid_to) {
            err(&e.field, e.message);
        }
        if row_errors.is_empty()
            && let (Some(person_name), Some(topic), Some(level)) = (person_name, topic, level)
        {
            rows.push(Row {
                line,
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
            });
        }
        errors.extend(row_errors);
    }
    (rows, errors)
}

/// Writes representatives in bulk.
#[derive(Default)]
pub struct BulkMutations;

#[Object]
impl BulkMutations {
    /// Imports an organisation's representatives from CSV (columns as in
    /// `representativesCsv`). All or nothing: any invalid row and nothing is written, every
    /// problem is reported. With `dryRun` nothing is written either way. Persons are matched
    /// by name within the organisation and created when missing.
    async fn import_representatives(
        &self,
        ctx: &Context<'_>,
        organisation_id: ID,
        csv: String,
        dry_run: Option<bool>,
    ) -> ApiResult<ImportRepresentativesPayload> {
        let who = caller(ctx)?;
        let dry_run = dry_run.unwrap_or(false);
        let org = id("organisationId", &organisation_id)?;
        let tx = db(ctx).begin().await.map_err(internal)?;
        organisation::Entity::find_by_id(org)
            .one(&tx)
            .await
            .map_err(internal)?
            .ok_or_else(|| bad_input("organisationId", format!("no organisation with id {org}")))?;
        enforce(
            policy::may_write(Some(who), &[owner(&tx, org).await?]),
            "representatives of that organisation",
        )?;
        let topics: HashMap<String, Uuid> = topic::Entity::find()
            .all(&tx)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|t| (t.slug, t.id))
            .collect();
        let municipalities: HashMap<String, Uuid> = organisation::Entity::find()
            .filter(organisation::Column::Kind.eq(db::OrganisationKind::Municipality))
            .all(&tx)
            .await
            .map_err(internal)?
            .into_iter()
            .filter_map(|o| o.municipality_code.map(|c| (c, o.id)))
            .collect();
        let (rows, errors) = parse_rows(&csv, &topics, &municipalities);
        let valid_rows = i32::try_from(rows.len()).unwrap_or(i32::MAX);
        if !errors.is_empty() || dry_run {
            tx.rollback().await.map_err(internal)?;
            return Ok(ImportRepresentativesPayload {
                dry_run,
                applied: false,
                valid_rows,
                persons_created: 0,
                errors,
                representatives: Vec::new(),
            });
        }
        let mut people: HashMap<String, Uuid> = person::Entity::find()
            .filter(person::Column::OrganisationId.eq(org))
            .all(&tx)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|p| (p.name.to_lowercase(), p.id))
            .collect();
        let mut persons_created = 0;
        let mut created = Vec::new();
        for row in rows {
            let mut person_for = async |name: &str, row: Option<&Row>| -> ApiResult<Uuid> {
                if let Some(id) = people.get(&name.to_lowercase()) {
                    return Ok(*id);
                }
                let now = Utc::now();
                let mut model = person::Model {
                    id: Uuid::new_v4(),
                    name: name.to_owned(),
                    title: row.and_then(|r| r.title.clone()),
                    organisation_id: Some(org),
                    email: row.and_then(|r| r.email.clone()),
                    phone: row.and_then(|r| r.phone.clone()),
                    visibility: row.map(|r| r.visibility).unwrap_or(db::Visibility::Public),
                    search_text: String::new(),
                    created_at: now,
                    updated_at: now,
                    version: 1,
                };
                model.refresh_search_text();
                let person = model
                    .into_active_model()
                    .insert(&tx)
                    .await
                    .map_err(internal)?;
                audit(
                    &tx,
                    who,
                    "Person",
                    person.id,
                    Operation::Create,
                    None,
                    Some(&person),
                )
                .await?;
                people.insert(name.to_lowercase(), person.id);
                persons_created += 1;
                Ok(person.id)
            };
            let person_id = person_for(&row.person_name, Some(&row)).await?;
            let deputy_id = match &row.deputy_name {
                Some(name) => Some(person_for(name, None).await?),
                None => None,
            };
            let _ = row.line;
            let rep = insert_representative(
                &tx,
                who,
                RepresentativeRow {
                    person_id,
                    organisation_id: org,
                    topic_id: row.topic,
                    level: row.level,
                    role: row.role,
                    deputy_id,
                    served: row.served,
                    valid_from: row.valid_from,
                    valid_to: row.valid_to,
                },
            )
            .await?;
            created.push(Representative(rep));
        }
        tx.commit().await.map_err(internal)?;
        Ok(ImportRepresentativesPayload {
            dry_run,
            applied: true,
            valid_rows,
            persons_created,
            errors,
            representatives: created,
        })
    }
}

/// An entry of the audit log.
#[derive(SimpleObject, Clone)]
pub struct AuditEntry {
    /// Stable id.
    pub id: ID,
    /// When the write committed.
    pub occurred_at: DateTime<Utc>,
    /// The token's subject.
    pub actor_sub: String,
    /// The token's name claim.
    pub actor_name: Option<String>,
    /// The type written (`Representative`).
    pub entity_type: String,
    /// The row written.
    pub entity_id: ID,
    /// `CREATE`, `UPDATE`, `END` or `DELETE`.
    pub operation: String,
    /// The row before the write.
    pub before: Option<Json<serde_json::Value>>,
    /// The row after the write.
    pub after: Option<Json<serde_json::Value>>,
}

/// Reads for integrators and admins.
#[derive(Default)]
pub struct BulkQuery;

#[Object]
impl BulkQuery {
    /// The audit log, newest first, optionally of one row. Admins only.
    async fn audit_log(
        &self,
        ctx: &Context<'_>,
        entity_id: Option<ID>,
        first: Option<i32>,
        after: Option<String>,
    ) -> ApiResult<List<AuditEntry>> {
        enforce(policy::admin_only(viewer(ctx).principal()), "the audit log")?;
        let page = Page::new(first, after)?;
        let mut query = audit_log::Entity::find();
        if let Some(entity) = &entity_id {
            query = query.filter(audit_log::Column::EntityId.eq(id("entityId", entity)?));
        }
        let query = query
            .order_by_desc(audit_log::Column::OccurredAt)
            .order_by_desc(audit_log::Column::Id);
        let total = query.clone().count(db(ctx)).await.map_err(internal)?;
        let rows = query
            .offset(page.offset)
            .limit(page.limit)
            .all(db(ctx))
            .await
            .map_err(internal)?;
        let entries = rows
            .into_iter()
            .map(|r| AuditEntry {
                id: ID(r.id.to_string()),
                occurred_at: r.occurred_at,
                actor_sub: r.actor_sub,
                actor_name: r.actor_name,
                entity_type: r.entity_type,
                entity_id: ID(r.entity_id.to_string()),
                operation: r.operation,
                before: r.before.map(Json),
                after: r.after.map(Json),
            })
            .collect();
        Ok(page.connection(entries, total))
    }

    /// An organisation's representatives as CSV, in the columns `importRepresentatives`
    /// reads. Internal contact details are left empty for anonymous callers.
    async fn representatives_csv(
        &self,
        ctx: &Context<'_>,
        organisation_id: ID,
        active_on: Option<Date>,
        include_inactive: Option<bool>,
    ) -> ApiResult<String> {
        let org = id("organisationId", &organisation_id)?;
        let db = db(ctx);
        let mut query =
            representative::Entity::find().filter(representative::Column::OrganisationId.eq(org));
        if let Some(date) = active_date(active_on, include_inactive.unwrap_or(false)) {
            query = query.filter(valid_on(
                representative::Column::ValidFrom,
                representative::Column::ValidTo,
                date,
            ));
        }
        let reps = query
            .order_by_asc(representative::Column::TopicId)
            .order_by_asc(representative::Column::Level)
            .order_by_asc(representative::Column::Id)
            .all(db)
            .await
            .map_err(internal)?;
        let person_ids: Vec<Uuid> = reps
            .iter()
            .flat_map(|r| [Some(r.person_id), r.deputy_id])
            .flatten()
            .collect();
        let persons: HashMap<Uuid, person::Model> = person::Entity::find()
            .filter(person::Column::Id.is_in(person_ids))
            .all(db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|p| (p.id, p))
            .collect();
        let topics: HashMap<Uuid, String> = topic::Entity::find()
            .all(db)
            .await
            .map_err(internal)?
            .into_iter()
            .map(|t| (t.id, t.slug))
            .collect();
        let links = representative_municipality::Entity::find()
            .filter(
                representative_municipality::Column::RepresentativeId
                    .is_in(reps.iter().map(|r| r.id)),
            )
            .all(db)
            .await
            .map_err(internal)?;
        let codes: HashMap<Uuid, String> = organisation::Entity::find()
            .filter(organisation::Column::Id.is_in(links.iter().map(|l| l.municipality_id)))
            .all(db)
            .await
            .map_err(internal)?
            .into_iter()
            .filter_map(|o| o.municipality_code.map(|c| (o.id, c)))
            .collect();
        let authenticated = viewer(ctx).authenticated();
        let mut out = csv::Writer::from_writer(Vec::new());
        out.write_record(CSV_COLUMNS).map_err(internal)?;
        for rep in reps {
            let Some(person) = persons.get(&rep.person_id) else {
                continue;
            };
            let visible = authenticated || person.visibility == db::Visibility::Public;
            let mut served: Vec<&str> = links
                .iter()
                .filter(|l| l.representative_id == rep.id)
                .filter_map(|l| codes.get(&l.municipality_id).map(String::as_str))
                .collect();
            served.sort_unstable();
            let deputy = rep
                .deputy_id
                .and_then(|d| persons.get(&d))
                .map(|p| p.name.as_str())
                .unwrap_or_default();
            out.write_record([
                person.name.as_str(),
                person.title.as_deref().unwrap_or_default(),
                if visible {
                    person.email.as_deref().unwrap_or_default()
                } else {
                    ""
                },
                if visible {
                    person.phone.as_deref().unwrap_or_default()
                } else {
                    ""
                },
                if person.visibility == db::Visibility::Public {
                    "PUBLIC"
                } else {
                    "INTERNAL"
                },
                topics
                    .get(&rep.topic_id)
                    .map(String::as_str)
                    .unwrap_or_default(),
                level_name(rep.level),
                rep.role.as_deref().unwrap_or_default(),
                deputy,
                &served.join(";"),
                &rep.valid_from.map(|d| d.to_string()).unwrap_or_default(),
                &rep.valid_to.map(|d| d.to_string()).unwrap_or_default(),
            ])
            .map_err(internal)?;
        }
        let bytes = out.into_inner().map_err(internal)?;
        String::from_utf8(bytes).map_err(internal)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn maps() -> (HashMap<String, Uuid>, HashMap<String, Uuid>) {
        let topics = HashMap::from([("employment".to_owned(), Uuid::from_u128(1))]);
        let munis = HashMap::from([
            ("297".to_owned(), Uuid::from_u128(2)),
            ("844".to_owned(), Uuid::from_u128(3)),
        ]);
        (topics, munis)
    }

    #[test]
    fn parses_valid_rows() {
        let (t, m) = maps();
        let csv = format!(
            "{}\nAino Esimerkki,Koordinaattori,aino@example.org,044 1234567,PUBLIC,employment,INTERFACE,yhdyshenkilö,,297;844,2024-01-01,\n",
            CSV_COLUMNS.join(",")
        );
        let (rows, errors) = parse_rows(&csv, &t, &m);
        assert_eq!(errors, vec![]);
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].phone.as_deref(), Some("+358441234567"));
        assert_eq!(rows[0].served, vec![Uuid::from_u128(2), Uuid::from_u128(3)]);
        assert_eq!(rows[0].level, db::Level::Interface);
    }

    #[test]
    fn reports_every_problem_with_line_and_column() {
        let (t, m) = maps();
        let csv = format!(
            "{}\n,x,not-an-email,abc,SECRET,nope,HIGH,,,999,2024-02-30,\nAino,,,,,employment,EVERYDAY,,,,2024-05-01,2024-01-01\n",
            CSV_COLUMNS.join(",")
        );
        let (rows, errors) = parse_rows(&csv, &t, &m);
        assert!(rows.is_empty());
        let at = |line: i32, column: &str| {
            errors
                .iter()
                .any(|e| e.line == line && e.column.as_deref() == Some(column))
        };
        for column in [
            "person_name",
            "email",
            "phone",
            "visibility",
            "topic",
            "level",
            "served_municipality_codes",
            "valid_from",
        ] {
            assert!(at(2, column), "line 2 {column}: {errors:?}");
        }
        assert!(at(3, "valid_to"));
    }

    #[test]
    fn refuses_a_wrong_header() {
        let (t, m) = maps();
        let (rows, errors) = parse_rows("name,topic\nAino,employment\n", &t, &m);
        assert!(rows.is_empty());
        assert_eq!(errors[0].line, 1);
    }
}
